/** t_errno messages (t_strerror, t_error) and the t_errno names. */
import * as C from "./constants.js";
import { show } from "./show.js";

/** The message of each t_errno value, indexed by value (the classic t_errlist). */
export const T_ERRLIST: readonly string[] = Object.freeze([
  "Error 0",
  "Incorrect address format",
  "Incorrect options format",
  "Illegal permissions",
  "Illegal file descriptor",
  "Couldn't allocate address",
  "Routine will place interface out of state",
  "Illegal called/calling sequence number",
  "System error",
  "An event requires attention",
  "Illegal amount of data",
  "Buffer not large enough",
  "Can't send message - (blocked)",
  "No message currently available",
  "Disconnect message not found",
  "Unitdata error message not found",
  "Incorrect flags specified",
  "Orderly release message not found",
  "Primitive not supported by provider",
  "State is in process of changing",
  "Unsupported structure type requested",
  "Invalid transport provider name",
  "Listener queue length limit is zero",
  "Transport address is in use",
  "Outstanding connection indications",
  "Listener-acceptor transport provider mismatch",
  "Connection acceptor has listen queue length limit greater than zero",
  "Connection acceptor-listener addresses not same but required by transport",
  "Incoming connection queue is full",
  "Protocol error on transport primitive",
]);

const NAMES: Record<number, string> = {
  [C.TBADADDR]: "TBADADDR",
  [C.TBADOPT]: "TBADOPT",
  [C.TACCES]: "TACCES",
  [C.TBADF]: "TBADF",
  [C.TNOADDR]: "TNOADDR",
  [C.TOUTSTATE]: "TOUTSTATE",
  [C.TBADSEQ]: "TBADSEQ",
  [C.TSYSERR]: "TSYSERR",
  [C.TLOOK]: "TLOOK",
  [C.TBADDATA]: "TBADDATA",
  [C.TBUFOVFLW]: "TBUFOVFLW",
  [C.TFLOW]: "TFLOW",
  [C.TNODATA]: "TNODATA",
  [C.TNODIS]: "TNODIS",
  [C.TNOUDERR]: "TNOUDERR",
  [C.TBADFLAG]: "TBADFLAG",
  [C.TNOREL]: "TNOREL",
  [C.TNOTSUPPORT]: "TNOTSUPPORT",
  [C.TSTATECHNG]: "TSTATECHNG",
  [C.TNOSTRUCTYPE]: "TNOSTRUCTYPE",
  [C.TBADNAME]: "TBADNAME",
  [C.TBADQLEN]: "TBADQLEN",
  [C.TADDRBUSY]: "TADDRBUSY",
  [C.TINDOUT]: "TINDOUT",
  [C.TPROVMISMATCH]: "TPROVMISMATCH",
  [C.TRESQLEN]: "TRESQLEN",
  [C.TRESADDR]: "TRESADDR",
  [C.TQFULL]: "TQFULL",
  [C.TPROTO]: "TPROTO",
};

function isCode(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < T_ERRLIST.length;
}

/** The name of a t_errno value: "TLOOK" for 9; "t_errno 99" for an unknown value. */
export function tErrnoName(value: number): string {
  return isCode(value) ? (NAMES[value] as string) : `t_errno ${show(value)}`;
}

/** t_strerror(3): the message for a t_errno value ("<value>: error unknown" for any other value). */
export function t_strerror(errnum: number): string {
  return isCode(errnum) ? (T_ERRLIST[errnum] as string) : `${show(errnum)}: error unknown`;
}

/** t_nerr: the number of messages in T_ERRLIST. */
export const t_nerr = T_ERRLIST.length;
