// Preloaded with `node --require` into a benchmark child (bench/children/ffi-calls.ts): installs
// the FFI call counter in the main thread and, because node runs --require preloads in every
// worker thread too, in each worker, before any bindings are built.
require("tsx/cjs/api").require("../providers/native/ffi/call-counter.ts", __filename).installCallCounter();
