;; The body of the Internet checksum for memory that JavaScript shares with this module
;; (wire/checksum-memory.ts): the unfolded sum of the little-endian 32-bit halves of each 64-bit
;; word in [ptr, ptr + len), len a multiple of 8 and ptr 8-byte aligned. The caller folds it
;; and swaps its bytes into network order (RFC 1071 §2(B): the sum is byte-order independent).
;; Built into checksum-memory.ts by `npm run build:wasm`; a test checks that the two agree.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "sum") (param $ptr i32) (param $len i32) (result f64)
    (local $acc i64) (local $end i32) (local $x i64)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $x (i64.load (local.get $ptr)))
        (local.set $acc
          (i64.add (local.get $acc)
            (i64.add (i64.and (local.get $x) (i64.const 0xffffffff)) (i64.shr_u (local.get $x) (i64.const 32)))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 8)))
        (br $next)))
    ;; At most 2^33 per word and 2^13 words in a 64 KiB packet: exact in a double.
    (f64.convert_i64_u (local.get $acc)))
)
