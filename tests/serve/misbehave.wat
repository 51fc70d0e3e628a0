;; tests/serve/misbehave.wat -- a wasi:http proxy component whose behaviour depends on the request method, for the
;; failure tests of `myrt serve` (tests/serve/serve_test.py):
;;   GET     -> 201, empty body
;;   POST    -> traps (unreachable)
;;   PUT     -> loops forever (--timeout / --fuel end it)
;;   DELETE  -> grows its memory until memory.grow fails (--max-memory), then traps
;;   PATCH   -> returns without setting a response
;;   OPTIONS -> sets err(error-code) as its response
;;   HEAD    -> status 200 + what earlier requests left behind (a fresh instance: 200), then leaves something behind:
;;              + the global $count, + 10 x (memory pages - 1), + 20 x (table size - 1), + the byte at 0x300; then
;;              memory.init from the passive segment $d (traps once $d is dropped), data.drop $d, $count + 1, one
;;              more memory page, one more table element, the byte at 0x300 set
;; The host's wasi:http/types is imported with only the functions used (the error-code variant reduced to one case:
;; a guest declares what it uses).
(component
  (import "wasi:http/types@0.2.12" (instance $types
    (export "fields" (type $fields (sub resource)))
    (export "incoming-request" (type $req (sub resource)))
    (export "outgoing-response" (type $resp (sub resource)))
    (export "response-outparam" (type $out (sub resource)))
    (type $method (variant (case "get") (case "head") (case "post") (case "put") (case "delete") (case "connect")
                           (case "options") (case "trace") (case "patch") (case "other" string)))
    (export "method" (type $m (eq $method)))
    (type $ec (variant (case "DNS-timeout")))
    (export "error-code" (type $e (eq $ec)))
    (export "[constructor]fields" (func (result (own $fields))))
    (export "[method]incoming-request.method" (func (param "self" (borrow $req)) (result $m)))
    (export "[constructor]outgoing-response" (func (param "headers" (own $fields)) (result (own $resp))))
    (export "[method]outgoing-response.set-status-code"
      (func (param "self" (borrow $resp)) (param "status-code" u16) (result (result))))
    (export "[static]response-outparam.set"
      (func (param "param" (own $out)) (param "response" (result (own $resp) (error $e)))))
  ))
  (alias export $types "incoming-request" (type $req))
  (alias export $types "response-outparam" (type $out))

  (core module $mem
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))

  (core func $fields_new (canon lower (func $types "[constructor]fields")))
  (core func $method (canon lower (func $types "[method]incoming-request.method") (memory $memory) (realloc $realloc)))
  (core func $resp_new (canon lower (func $types "[constructor]outgoing-response")))
  (core func $set_status (canon lower (func $types "[method]outgoing-response.set-status-code")))
  (core func $set (canon lower (func $types "[static]response-outparam.set")))

  (core module $m
    (import "t" "fields" (func $fields (result i32)))
    (import "t" "method" (func $method (param i32 i32)))
    (import "t" "resp" (func $resp (param i32) (result i32)))
    (import "t" "status" (func $status (param i32 i32) (result i32)))
    (import "t" "set" (func $set (param i32 i32 i32)))
    (import "t" "memory" (memory 1))
    (global $count (mut i32) (i32.const 0))
    (table $t 1 funcref)
    (data $d "\01")
    (func (export "handle") (param $req i32) (param $out i32)
      (local $m i32) (local $r i32) (local $st i32)
      (call $method (local.get $req) (i32.const 16))
      (local.set $m (i32.load8_u (i32.const 16)))
      (if (i32.eq (local.get $m) (i32.const 1))
        (then
          (local.set $st
            (i32.add (i32.add (i32.const 200) (global.get $count))
              (i32.add (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 10))
                (i32.add (i32.mul (i32.sub (table.size $t) (i32.const 1)) (i32.const 20))
                  (i32.load8_u (i32.const 0x300))))))
          (memory.init $d (i32.const 0x300) (i32.const 0) (i32.const 1))
          (data.drop $d)
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (drop (memory.grow (i32.const 1)))
          (drop (table.grow $t (ref.null func) (i32.const 1)))
          (local.set $r (call $resp (call $fields)))
          (drop (call $status (local.get $r) (local.get $st)))
          (call $set (local.get $out) (i32.const 0) (local.get $r))
          return))
      (if (i32.eq (local.get $m) (i32.const 2)) (then unreachable))
      (if (i32.eq (local.get $m) (i32.const 3)) (then (loop $spin (br $spin))))
      (if (i32.eq (local.get $m) (i32.const 4))
        (then
          (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
          unreachable))
      (if (i32.eq (local.get $m) (i32.const 8)) (then return))
      (if (i32.eq (local.get $m) (i32.const 6))
        (then (call $set (local.get $out) (i32.const 1) (i32.const 0)) return))
      (local.set $r (call $resp (call $fields)))
      (drop (call $status (local.get $r) (i32.const 201)))
      (call $set (local.get $out) (i32.const 0) (local.get $r))))
  (core instance $i (instantiate $m
    (with "t" (instance
      (export "fields" (func $fields_new))
      (export "method" (func $method))
      (export "resp" (func $resp_new))
      (export "status" (func $set_status))
      (export "set" (func $set))
      (export "memory" (memory $memory))))))
  (func $handle (param "request" (own $req)) (param "response-out" (own $out))
    (canon lift (core func $i "handle")))
  (instance $handler (export "handle" (func $handle)))
  (export "wasi:http/incoming-handler@0.2.12" (instance $handler))
)
