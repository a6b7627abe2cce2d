/**
 * The XTI state machine as data: the library's state table (event x state -> next state), with
 * the event names and codes of libnsl (tx.h) and the table of the XTI/TLI specifications.
 * Every state change the library makes is a lookup here.
 */
import { T_DATAXFER, T_IDLE, T_INCON, T_INREL, T_OUTCON, T_OUTREL, T_UNBND, T_UNINIT } from "./constants.js";

/** Library events (the codes of tx.h). */
export const XtiEvent = Object.freeze({
  T_OPEN: 0,
  T_BIND: 1,
  T_OPTMGMT: 2,
  T_UNBIND: 3,
  T_CLOSE: 4,
  T_SNDUDATA: 5,
  T_RCVUDATA: 6,
  T_RCVUDERR: 7,
  T_CONNECT1: 8,
  T_CONNECT2: 9,
  T_RCVCONNECT: 10,
  T_LISTN: 11,
  T_ACCEPT1: 12,
  T_ACCEPT2: 13,
  T_ACCEPT3: 14,
  T_SND: 15,
  T_RCV: 16,
  T_SNDDIS1: 17,
  T_SNDDIS2: 18,
  T_RCVDIS1: 19,
  T_RCVDIS2: 20,
  T_RCVDIS3: 21,
  T_SNDREL: 22,
  T_RCVREL: 23,
  T_PASSCON: 24,
} as const);
/** The name of a library event (T_BIND, T_SND, ...). */
export type XtiEventName = keyof typeof XtiEvent;

const _ = null;
/** Next state per current state, in the order UNINIT UNBND IDLE OUTCON INCON DATAXFER OUTREL INREL. */
/** The next state of one event, per current state (null: the event is not allowed there). */
export type StateTableRow = readonly [number | null, number | null, number | null, number | null, number | null, number | null, number | null, number | null];

/**
 * The table. Two deliberate choices, both also made by illumos: T_OPTMGMT is valid in every state
 * but T_UNINIT (TLI once allowed it only in T_IDLE), and T_PASSCON accepts an unbound endpoint
 * (the XTI corrigendum), which t_accept binds first.
 */
export const STATE_TABLE: Readonly<Record<XtiEventName, StateTableRow>> = frozenTable({
  //            UNINIT   UNBND       IDLE         OUTCON       INCON        DATAXFER     OUTREL      INREL
  T_OPEN:       [T_UNBND, _,          _,           _,           _,           _,           _,          _],
  T_BIND:       [_,       T_IDLE,     _,           _,           _,           _,           _,          _],
  T_OPTMGMT:    [_,       T_UNBND,    T_IDLE,      T_OUTCON,    T_INCON,     T_DATAXFER,  T_OUTREL,   T_INREL],
  T_UNBIND:     [_,       _,          T_UNBND,     _,           _,           _,           _,          _],
  T_CLOSE:      [_,       T_UNINIT,   _,           _,           _,           _,           _,          _],
  T_SNDUDATA:   [_,       _,          T_IDLE,      _,           _,           _,           _,          _],
  T_RCVUDATA:   [_,       _,          T_IDLE,      _,           _,           _,           _,          _],
  T_RCVUDERR:   [_,       _,          T_IDLE,      _,           _,           _,           _,          _],
  T_CONNECT1:   [_,       _,          T_DATAXFER,  _,           _,           _,           _,          _],
  T_CONNECT2:   [_,       _,          T_OUTCON,    _,           _,           _,           _,          _],
  T_RCVCONNECT: [_,       _,          _,           T_DATAXFER,  _,           _,           _,          _],
  T_LISTN:      [_,       _,          T_INCON,     _,           T_INCON,     _,           _,          _],
  T_ACCEPT1:    [_,       _,          _,           _,           T_DATAXFER,  _,           _,          _],
  T_ACCEPT2:    [_,       _,          _,           _,           T_IDLE,      _,           _,          _],
  T_ACCEPT3:    [_,       _,          _,           _,           T_INCON,     _,           _,          _],
  T_SND:        [_,       _,          _,           _,           _,           T_DATAXFER,  _,          T_INREL],
  T_RCV:        [_,       _,          _,           _,           _,           T_DATAXFER,  T_OUTREL,   _],
  T_SNDDIS1:    [_,       _,          _,           T_IDLE,      T_IDLE,      T_IDLE,      T_IDLE,     T_IDLE],
  T_SNDDIS2:    [_,       _,          _,           _,           T_INCON,     _,           _,          _],
  T_RCVDIS1:    [_,       _,          _,           T_IDLE,      _,           T_IDLE,      T_IDLE,     T_IDLE],
  T_RCVDIS2:    [_,       _,          _,           _,           T_IDLE,      _,           _,          _],
  T_RCVDIS3:    [_,       _,          _,           _,           T_INCON,     _,           _,          _],
  T_SNDREL:     [_,       _,          _,           _,           _,           T_OUTREL,    _,          T_IDLE],
  T_RCVREL:     [_,       _,          _,           _,           _,           T_INREL,     T_IDLE,     _],
  T_PASSCON:    [_,       T_DATAXFER, T_DATAXFER,  _,           _,           _,           _,          _],
});

function frozenTable<T extends Record<string, readonly unknown[]>>(table: T): T {
  for (const row of Object.values(table)) Object.freeze(row);
  return Object.freeze(table);
}

/** The next state for `event` in `state`, or null if the event is not allowed there (or is no event). */
export function nextState(event: XtiEventName, state: number): number | null {
  if (typeof event !== "string" || !Object.hasOwn(STATE_TABLE, event) || typeof state !== "number" || !Number.isInteger(state)) return null;
  return STATE_TABLE[event][state] ?? null;
}

/** True if at least one of `events` is allowed in `state` (the TOUTSTATE test of a call). */
export function allowedIn(events: readonly XtiEventName[], state: number): boolean {
  return events.some((e) => nextState(e, state) !== null);
}

/** The state names, indexed by state value. */
export const STATE_NAMES = Object.freeze(["T_UNINIT", "T_UNBND", "T_IDLE", "T_OUTCON", "T_INCON", "T_DATAXFER", "T_OUTREL", "T_INREL"] as const);

/** The events each state-checked call may cause; a call outside their states fails TOUTSTATE. */
export const CALL_EVENTS = {
  t_bind: ["T_BIND"],
  t_unbind: ["T_UNBIND"],
  t_optmgmt: ["T_OPTMGMT"],
  t_connect: ["T_CONNECT1", "T_CONNECT2"],
  t_rcvconnect: ["T_RCVCONNECT"],
  t_listen: ["T_LISTN"],
  t_accept: ["T_ACCEPT1", "T_ACCEPT2", "T_ACCEPT3"],
  t_snd: ["T_SND"],
  t_rcv: ["T_RCV"],
  t_snddis: ["T_SNDDIS1", "T_SNDDIS2"],
  t_rcvdis: ["T_RCVDIS1", "T_RCVDIS2", "T_RCVDIS3"],
  t_sndrel: ["T_SNDREL"],
  t_rcvrel: ["T_RCVREL"],
  t_sndudata: ["T_SNDUDATA"],
  t_rcvudata: ["T_RCVUDATA"],
  t_rcvuderr: ["T_RCVUDERR"],
} as const satisfies Record<string, readonly XtiEventName[]>;
export type StateCheckedCall = keyof typeof CALL_EVENTS;

/**
 * CALL_EVENTS folded into one bit mask per call (bit `1 << state` set where at least one of the
 * call's events is allowed), so the TOUTSTATE test of a call is one shift and one AND.
 */
export const CALL_STATES: Readonly<Record<StateCheckedCall, number>> = Object.freeze(
  Object.fromEntries(
    Object.entries(CALL_EVENTS).map(([call, events]) => {
      let mask = 0;
      for (let state = 0; state < STATE_NAMES.length; state++) if (allowedIn(events, state)) mask |= 1 << state;
      return [call, mask];
    }),
  ) as Record<StateCheckedCall, number>,
);
