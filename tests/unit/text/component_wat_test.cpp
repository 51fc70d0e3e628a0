// tests/unit/text/component_wat_test.cpp -- componentToBinary: the component text format against byte-exact
// encodings made by the reference tooling (jco 1.35.0 `parse`, i.e. wasm-tools' wast 259; regenerate with the
// commands in docs/status.md), plus text-level errors. The fixtures cover canon lift/lower with options, every
// component value type, resources with destructors and the resource built-ins, instance/component/module types,
// explicit and implicit outer aliases, export references, inline exports and instance bundles, start and value
// imports, the async/thread built-ins and type indices that need a signed (s33) LEB.
#include <catch2/catch.hpp>

#include <string>

#include "runtime/text/wat.h"

using namespace myrt;

namespace {

std::vector<uint8_t> unhex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string hex(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

struct Fixture {
  const char* name;
  const char* text;
  const char* expected;  // hex
};

const Fixture kFixtures[] = {
    {"01-lift-lower", R"WAT((component $C
  (import "wasi:cli/stdout@0.2.3" (instance $out
    (export "print" (func (param "s" string)))))
  (core module $libc (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8))
  (core instance $libc (instantiate $libc))
  (core func $print (canon lower (func $out "print") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")) string-encoding=utf16))
  (core module $m
    (import "host" "print" (func (param i32 i32)))
    (func (export "run") (param i32 i32) (result i32) i32.const 0)
    (func (export "post") (param i32)))
  (core instance $i (instantiate $m (with "host" (instance (export "print" (func $print))))))
  (func $run (export "wasi:cli/run@0.2.3#run") (param "a" (list u8)) (result (result (error string)))
    (canon lift (core func $i "run") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")) (post-return (core func $i "post"))))
)
)WAT",
     "0061736d0d000100071501420201400101737301000400057072696e7401000a1a010015776173693a636c692f7374646f75"
     "7440302e322e33050001450061736d0100000001090160047f7f7f7f017f030201000503010001071102036d656d02000772"
     "65616c6c6f6300000a0601040041080b000c046e616d650005046c696263020401000000061e03010000057072696e740002"
     "0100036d656d00000100077265616c6c6f63080a0101000003030004000101550061736d0100000001100360027f7f006002"
     "7f7f017f60017f00020e0104686f7374057072696e7400000303020102070e020372756e000104706f737400020a09020400"
     "41000b02000b0009046e616d650002016d0215020101057072696e74000100010104686f73741201070e03707d6a00017340"
     "010161010002062604000001020372756e00020100036d656d00000100077265616c6c6f630000010204706f7374080c0100"
     "000203030104030504030b1c010016776173693a636c692f72756e40302e322e332372756e010100004d0e636f6d706f6e65"
     "6e742d6e616d6500020143010a00000101057072696e74010c00110200046c69626301016d010c00120200046c6962630201"
     "6901070101010372756e0107050100036f7574"},
    {"02-valtypes", R"WAT((component
  (type $r (record (field "a" u32) (field "b" (list string)) (field "c" (tuple s8 u16 float32 f64))))
  (type $v (variant (case "x") (case "y" (option char)) (case $z "z" (result u64 (error s64)))))
  (type $f (flags "read" "write" "exec"))
  (type $e (enum "red" "green"))
  (type $res (result))
  (type $res2 (result (error bool)))
  (type $fl (list u8 4))
  (type (func (param "r" $r) (param "v" $v) (param "f" $f) (result $e)))
  (type (func async (param "x" s32)))
  (export "r" (type $r))
)
)WAT",
     "0061736d0d00010007670d70736f047e7b767572030161790162000163016b746a017701787103017800000179010300017a"
     "0104006e03047265616405777269746504657865636d020372656405677265656e6a00006a00017f677d0440030172020176"
     "050166060007430101787a01000b0701000172030200002e0e636f6d706f6e656e742d6e616d65011d030702017205017606"
     "016607016508037265730904726573320a02666c"},
    {"03-resources", R"WAT((component
  (core module $m (func (export "dtor") (param i32)))
  (core instance $i (instantiate $m))
  (type $R (resource (rep i32) (dtor (core func $i "dtor"))))
  (type $R2 (resource (rep i32)))
  (core func $new (canon resource.new $R))
  (core func $drop (canon resource.drop $R))
  (core func $rep (canon resource.rep $R))
  (canon resource.new $R2 (core func $new2))
  (type $own (own $R))
  (type (func (param "self" (borrow $R)) (result (own $R))))
  (export $Rx "r" (type $R))
  (import "u" (type $U (sub resource)))
  (import "eq" (type (eq $U)))
)
)WAT",
     "0061736d0d000100012e0061736d0100000001050160017f00030201000708010464746f7200000a040102000b0009046e61"
     "6d650002016d020401000000060a01000001000464746f720708023f7f01003f7f0008090402000300040002010711046900"
     "6800690040010473656c660300040b07010001720300000a0d0200017503010002657103000700510e636f6d706f6e656e74"
     "2d6e616d65011900000401036e6577020464726f70030372657004046e657732010600110100016d01060012010001690115"
     "03050001520102523202036f776e06025278070155"},
    {"04-types", R"WAT((component
  (type $T (instance
    (export "r" (type $x (sub resource)))
    (export "[constructor]r" (func (result (own $x))))
    (export "[method]r.get" (func (param "self" (borrow $x)) (result u32)))
    (core type (module (import "a" "b" (func (param i32))) (export "m" (memory 1))))
  ))
  (type $CT (component
    (import "i" (instance $i (type $T)))
    (alias export $i "r" (type $r))
    (import "f" (func (param "x" (own $r))))
    (export "g" (func))
  ))
  (import "imp" (instance (type $T)))
  (import "c" (component (type $CT)))
  (import "v" (value $v string))
  (core type $ft (func (param i32) (result i64)))
  (core type $mt (module
    (type $a (func))
    (import "x" "f" (func (type $a)))
    (import "x" "g" (func (param f32)))
    (import "x" "t" (table 1 funcref))
    (import "x" "gl" (global (mut i32)))
    (export "e" (func (type 0)))
  ))
  (import "mod" (core module (type $mt)))
)
)WAT",
     "0061736d0d000100078801024208040001720301016900014000000104000e5b636f6e7374727563746f725d720102016800"
     "0140010473656c6603007904000d5b6d6574686f645d722e67657401040050030160017f000001610162000003016d020001"
     "41080203020100030001690500020300000172016901014001017802010003000166010301400001000400016701040a1203"
     "0003696d7005000001630401000176027303360260017f017e500701600000000178016600000160017d0000017801670001"
     "00017801740170000100017802676c037f0103016500000a090100036d6f64001101002e0e636f6d706f6e656e742d6e616d"
     "65010b0010020002667401026d74010502010001760109030200015401024354"},
    {"05-nested", R"WAT((component $outer
  (type $T (func (result u32)))
  (core module $M (func (export "f") (result i32) i32.const 7))
  (component $inner (export "inner-export")
    (core instance $i (instantiate $M))
    (alias outer $outer $T (type $T2))
    (func (export "f") (type $T2) (canon lift (core func $i "f")))
    (import "x" (func (type $T)))
  )
  (import "y" (func $y (type $T)))
  (instance $a (instantiate $inner (with "x" (func $y))))
  (func $f (alias export $a "f"))
  (alias export $a "f" (func $g))
  (instance $b (export "g" (func $g)) (export "h" (func $a "f")))
  (instance $c (instantiate $inner (with "x" (instance $b "g"))))
  (export "b" (instance $b))
  (export "f2" (func $f) (func (type $T)))
)
)WAT",
     "0061736d0d00010007050140000079012d0061736d010000000105016000017f03020100070501016600000a060104004107"
     "0b0009046e616d650002014d046c0061736d0d0001000606010011020100020401000000060b020302010000000100016608"
     "06010000000000060501030201000a060100017801010b070100016601000000270e636f6d706f6e656e742d6e616d650006"
     "05696e6e6572010600120100016901060301000254320a060100017901000508010000010178010006100301000001660100"
     "0001660100000166050d010102000167010200016801030606010500010167050801000001017805020b2103000162050100"
     "000266320101010100000c696e6e65722d6578706f7274040000004b0e636f6d706f6e656e742d6e616d650006056f757465"
     "72010600110100014d010b010300017901016602016701050301000154010904010005696e6e6572010b0503000161010162"
     "030163"},
    {"06-start-values", R"WAT((component
  (import "a" (value $a u32))
  (import "f" (func $f (param "x" u32) (result string)))
  (start $f (value $a) (result (value $r)))
  (export "r" (value $r))
)
)WAT",
     "0061736d0d0001000a06010001610279070801400101787900730a060100016601000904000100010b070100017202010000"
     "1d0e636f6d706f6e656e742d6e616d650105010100016601050201000161"},
    {"07-async", R"WAT((component
  (core module $libc (memory (export "mem") 1) (table (export "t") 1 funcref))
  (core instance $libc (instantiate $libc))
  (type $s (stream u8))
  (type $fu (future))
  (core func (canon task.return (result u32) (memory (core memory $libc "mem"))))
  (core func (canon task.return))
  (core func (canon context.get i32 0))
  (core func (canon context.set i32 0))
  (core func (canon backpressure.inc))
  (core func (canon backpressure.dec))
  (core func (canon subtask.cancel async))
  (core func (canon subtask.drop))
  (core func (canon stream.new $s))
  (core func (canon stream.read $s async (memory (core memory $libc "mem"))))
  (core func (canon stream.write $s (memory (core memory $libc "mem"))))
  (core func (canon stream.cancel-read $s async))
  (core func (canon stream.drop-readable $s))
  (core func (canon future.new $fu))
  (core func (canon future.cancel-write $fu))
  (core func (canon future.drop-writable $fu))
  (core func (canon waitable-set.new))
  (core func (canon waitable-set.wait (memory (core memory $libc "mem"))))
  (core func (canon waitable-set.poll (memory (core memory $libc "mem"))))
  (core func (canon waitable-set.drop))
  (core func (canon waitable.join))
  (core func (canon error-context.new (memory (core memory $libc "mem"))))
  (core func (canon error-context.drop))
  (core func (canon thread.index))
  (core type $ft (func (param i32)))
  (core func (canon thread.new-indirect $ft (core table $libc "t")))
  (core func (canon thread.yield))
  (core func (canon thread.suspend))
)
)WAT",
     "0061736d0d000100012e0061736d010000000404017000010503010001070b02036d656d020001740100000c046e616d6500"
     "05046c69626302040100000007060266017d650006090100020100036d656d081809090079010300090100000a7f000b7f00"
     "242506010d0e0006090100020100036d656d0807010f000206030106090100020100036d656d081307100001030211000113"
     "0015011901001b011f06090100020100036d656d08040120000306090100020100036d656d08060321000422230609010002"
     "0100036d656d0807031c0103051e2603050160017f000607010001010001740808032700000c00290000390e636f6d706f6e"
     "656e742d6e616d65010700100100026674010900110100046c696263010900120100046c6962630109030200017301026675"},
    {"08-s33", R"WAT((component
  (type $t0 (list u8))
  (type $t1 (list $t0))
  (type $t2 (list $t1))
  (type $t3 (list $t2))
  (type $t4 (list $t3))
  (type $t5 (list $t4))
  (type $t6 (list $t5))
  (type $t7 (list $t6))
  (type $t8 (list $t7))
  (type $t9 (list $t8))
  (type $t10 (list $t9))
  (type $t11 (list $t10))
  (type $t12 (list $t11))
  (type $t13 (list $t12))
  (type $t14 (list $t13))
  (type $t15 (list $t14))
  (type $t16 (list $t15))
  (type $t17 (list $t16))
  (type $t18 (list $t17))
  (type $t19 (list $t18))
  (type $t20 (list $t19))
  (type $t21 (list $t20))
  (type $t22 (list $t21))
  (type $t23 (list $t22))
  (type $t24 (list $t23))
  (type $t25 (list $t24))
  (type $t26 (list $t25))
  (type $t27 (list $t26))
  (type $t28 (list $t27))
  (type $t29 (list $t28))
  (type $t30 (list $t29))
  (type $t31 (list $t30))
  (type $t32 (list $t31))
  (type $t33 (list $t32))
  (type $t34 (list $t33))
  (type $t35 (list $t34))
  (type $t36 (list $t35))
  (type $t37 (list $t36))
  (type $t38 (list $t37))
  (type $t39 (list $t38))
  (type $t40 (list $t39))
  (type $t41 (list $t40))
  (type $t42 (list $t41))
  (type $t43 (list $t42))
  (type $t44 (list $t43))
  (type $t45 (list $t44))
  (type $t46 (list $t45))
  (type $t47 (list $t46))
  (type $t48 (list $t47))
  (type $t49 (list $t48))
  (type $t50 (list $t49))
  (type $t51 (list $t50))
  (type $t52 (list $t51))
  (type $t53 (list $t52))
  (type $t54 (list $t53))
  (type $t55 (list $t54))
  (type $t56 (list $t55))
  (type $t57 (list $t56))
  (type $t58 (list $t57))
  (type $t59 (list $t58))
  (type $t60 (list $t59))
  (type $t61 (list $t60))
  (type $t62 (list $t61))
  (type $t63 (list $t62))
  (type $t64 (list $t63))
  (type $t65 (list $t64))
  (type $t66 (list $t65))
  (type $t67 (list $t66))
  (type $t68 (list $t67))
  (type $t69 (list $t68))
  (type $t70 (list $t69))
  (type (func (param "x" $t70)))
)
)WAT",
     "0061736d0d000100079d0148707d7000700170027003700470057006700770087009700a700b700c700d700e700f70107011"
     "70127013701470157016701770187019701a701b701c701d701e701f7020702170227023702470257026702770287029702a"
     "702b702c702d702e702f7030703170327033703470357036703770387039703a703b703c703d703e703f70c00070c10070c2"
     "0070c30070c40070c50040010178c600010000ed020e636f6d706f6e656e742d6e616d6501db020347000274300102743102"
     "027432030274330402743405027435060274360702743708027438090274390a037431300b037431310c037431320d037431"
     "330e037431340f03743135100374313611037431371203743138130374313914037432301503743231160374323217037432"
     "33180374323419037432351a037432361b037432371c037432381d037432391e037433301f03743331200374333221037433"
     "33220374333423037433352403743336250374333726037433382703743339280374343029037434312a037434322b037434"
     "332c037434342d037434352e037434362f037434373003743438310374343932037435303303743531340374353235037435"
     "3336037435343703743535380374353639037435373a037435383b037435393c037436303d037436313e037436323f037436"
     "334003743634410374363542037436364303743637440374363845037436394603743730"},
    {"09-core-instance", R"WAT((component
  (core module $a (func (export "f")) (memory (export "m") 1) (global (export "g") i32 (i32.const 1)) (table (export "t") 1 funcref))
  (core instance $ia (instantiate $a))
  (core module $b (import "x" "f" (func)) (import "x" "m" (memory 1)))
  (core instance (instantiate $b (with "x" (instance $ia))))
  (core instance $bundle (export "f" (func $ia "f")) (export "m" (memory $ia "m")) (export "g" (global $ia "g")) (export "t" (table $ia "t")))
  (alias core export $ia "f" (core func $f))
  (alias core export $ia "m" (core memory $mm))
  (core instance (instantiate $b (with "x" (instance (export "f" (func $f)) (export "m" (memory $mm))))))
  (core module $m2 (export "exported-module"))
  (core rec (type $r1 (struct)) (type $r2 (struct (field (ref null $r1)))))
)
)WAT",
     "0061736d0d00010001490061736d010000000104016000000302010004040170000105030100010606017f0041010b071104"
     "01660000016d020001670300017401000a040102000b0009046e616d650002016102040100000001290061736d0100000001"
     "0401600000020e020178016600000178016d0200010009046e616d6500020162020801000101017812000619040000010001"
     "6600020100016d000301000167000101000174021301010401660000016d02000167030001740100060d0200000100016600"
     "020100016d021202010201660001016d02010001010178120301140061736d01000000000a046e616d650003026d32030a01"
     "4e025f005f016300000b1601000f6578706f727465642d6d6f64756c6500110200004d0e636f6d706f6e656e742d6e616d65"
     "0106000001010166010700020101026d6d010b0010020002723101027232010d00110300016101016202026d32010f001202"
     "00026961020662756e646c65"},
};

std::string compError(std::string_view text) {
  auto r = componentToBinary(text);
  return r.ok() ? std::string("<ok>") : r.error().message;
}

}  // namespace

TEST_CASE("component text: byte-exact against the reference tooling", "[text][component]") {
  for (const Fixture& f : kFixtures) {
    INFO(f.name);
    auto r = componentToBinary(f.text);
    REQUIRE(r.ok());
    CHECK(hex(*r) == hex(unhex(f.expected)));
  }
}

TEST_CASE("component text: smallest forms", "[text][component]") {
  const std::vector<uint8_t> empty = {0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00};
  CHECK(componentToBinary("(component)").value() == empty);
  CHECK(componentToBinary("(component binary \"\\00asm\" \"\\0d\\00\\01\\00\")").value() == empty);
  CHECK(componentToBinary("(component quote \"\")").value() == empty);
  CHECK(isComponentText(" ;; c\n(; x ;) ( component $c)"));
  CHECK_FALSE(isComponentText("(module)"));
  CHECK_FALSE(isComponentText("(components)"));
}

TEST_CASE("component text: errors", "[text][component]") {
  CHECK(compError("(component (func (export \"f\") (canon lift (core func $nope))))") == "unknown core func $nope");
  CHECK(compError("(component (type $t u8) (type $t u8))") == "duplicate type identifier $t");
  CHECK(compError("(component (import \"a\" (func (param \"x\" $missing))))") == "unknown type $missing");
  CHECK(compError("(component (bogus))") == "unexpected token");
  CHECK(compError("(component (core module (func $f (call $g))))") == "unknown function $g");
  CHECK(compError("(component (component (alias outer $nope $t (type))))").find("outer component $nope") == 0);
  CHECK(compError("(component (core func $f (canon nope.nope)))") == "unexpected token");
  CHECK(compError("(component (type (record (field \"a\" u32))") == "unexpected end");
  // deep nesting is refused, not a stack overflow
  std::string deep = "(component (type ";
  for (int i = 0; i < 5000; ++i) deep += "(list ";
  deep += "u8";
  for (int i = 0; i < 5000; ++i) deep += ")";
  deep += "))";
  CHECK(compError(deep) == "nesting too deep");
}
