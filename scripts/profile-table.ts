/**
 * The profile data as the table a porter reads (docs/semantics.md embeds it; a test checks the
 * two agree). One row per field of SemanticsProfile.
 */
import { tErrnoName } from "../src/messages.js";
import { errnoName } from "../src/errno.js";
import { PROFILES, type ErrorRemap, type SemanticsProfile } from "../src/profile.js";

type Field = Exclude<keyof SemanticsProfile, "name">;

/** What each field means to a program, in the words of the table's first column. */
export const FIELD_DESCRIPTIONS: Readonly<Record<Field, string>> = {
  checkState: "User-level state checks (an out-of-state call fails `TOUTSTATE`; otherwise the provider answers, e.g. `TSYSERR`/`EPROTO`)",
  sndLookOnDiscon: "`t_snd`, `t_sndv` and `t_sndrel` fail `TLOOK` on a pending disconnect",
  sndLookOnOrdrel: "`t_snd` fails `TLOOK` on a pending orderly release",
  checkFlags: "`t_snd` rejects unknown flags with `TBADFLAG`",
  acceptLookOnAnyEvent: "`t_accept` fails `TLOOK` on any pending event (not only a disconnect)",
  exactBind: "`t_bind` to a busy address fails `TADDRBUSY` (otherwise another address is bound: compare req and ret)",
  maxlenZeroSkips: "A returned netbuf with `maxlen` 0 is skipped (otherwise `TBUFOVFLW`)",
  tAll: "`T_ALL`",
  tallocInfiniteSize: "`t_alloc` buffer for a `T_INFINITE` size",
  tallocInvalidFails: "`t_alloc` fails `TSYSERR`/`EINVAL` for a `T_INVALID` size asked for by name",
  tallocXtiOptionRoom: "`t_alloc` extra bytes in opt buffers for XTI-level options",
  lookInlineExpedited: "`t_look` reports `T_EXDATA` while in-line expedited data (TCP urgent data) waits behind normal data",
  goEvents: "`T_GODATA` / `T_GOEXDATA` events after flow control lifts",
  infoHasFlags: "`t_info.flags`",
  pushFlag: "`T_PUSH` is a valid `t_snd` flag",
  tqfull: "`t_listen` reports `TQFULL` once when the queue is full",
  oversize: "A TSDU or datagram larger than the provider limit",
  optmgmtFormat: "`t_optmgmt` option format",
  remap: "t_errno values replaced (XTI errors 20-29 never appear in TLI)",
};

function remapText(r: ErrorRemap): string {
  return r.t_errno === 8 && r.errno !== 0 ? `${tErrnoName(r.t_errno)}/${errnoName(r.errno)}` : tErrnoName(r.t_errno);
}

function render(field: Field, p: SemanticsProfile): string {
  const v = p[field];
  switch (field) {
    case "tAll":
      return `0x${(v as number).toString(16)}`;
    case "tallocInfiniteSize":
      return typeof v === "number" ? `${v} bytes` : "none: `TSYSERR`/`EINVAL` unless fields is `T_ALL`";
    case "tallocXtiOptionRoom":
      return typeof v === "number" ? String(v) : JSON.stringify(v);
    case "oversize":
      return remapText(v as ErrorRemap);
    case "optmgmtFormat":
      return v === "xti" ? "`t_opthdr` (T_NEGOTIATE, T_CHECK, T_DEFAULT, T_CURRENT, T_ALLOPT)" : "legacy `opthdr` (T_NEGOTIATE, T_CHECK → T_SUCCESS/T_FAILURE, T_DEFAULT with an empty request)";
    case "remap": {
      const entries = Object.entries(v as Record<string, ErrorRemap>).map(([k, r]) => `${tErrnoName(Number(k))} → ${remapText(r)}`);
      return entries.length === 0 ? "none" : entries.join(", ");
    }
    default:
      return v === true ? "yes" : v === false ? "no" : typeof v === "number" || typeof v === "string" ? String(v) : JSON.stringify(v);
  }
}

/** The markdown table of every difference, generated from PROFILES. */
export function semanticsTable(): string {
  const names = ["XNS5", "XNS4", "TLI"] as const;
  const rows = (Object.keys(FIELD_DESCRIPTIONS) as Field[]).map(
    (f) => `| ${FIELD_DESCRIPTIONS[f]} | ${names.map((n) => render(f, PROFILES[n])).join(" | ")} |`,
  );
  return ["| | XNS5 (default) | XNS4 | TLI |", "|---|---|---|---|", ...rows].join("\n") + "\n";
}
