// tests/unit/component/subtyping_test.cpp -- validation of instantiation arguments against the imports they satisfy
// (full subtyping: value types, functions, instance/component types, core module types with limits) and the
// external visibility of types used by imports and exports. Components are written in the component text format.
#include <catch2/catch.hpp>
#include <string>

#include "runtime/component/component.h"
#include "runtime/text/wat.h"

using namespace myrt;

namespace {

// "" if the component text validates, else the validation error (a text error fails the test).
std::string validate(const std::string& text) {
  auto bin = componentToBinary(text);
  if (!bin.ok()) {
    FAIL("text: " << bin.error().message);
    return "text error";
  }
  auto c = component::loadComponent(bin.value());
  return c ? "" : c.error().message;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A child component importing `x` with `importDecl`, instantiated with the parent's item `arg` (defined by `defs`).
std::string instantiateWith(const std::string& childImport, const std::string& defs, const std::string& arg) {
  return validate("(component (component $c " + childImport + ") " + defs + " (instance (instantiate $c (with \"x\" " +
                  arg + "))))");
}

}  // namespace

TEST_CASE("subtyping: type arguments must match eq-bounded type imports structurally", "[component]") {
  const std::string rec = "(type $t (record (field \"f\" u32))) (import \"x\" (type (eq $t)))";
  CHECK(instantiateWith(rec, "(type $a (record (field \"f\" u32)))", "(type $a)") == "");
  CHECK(contains(instantiateWith(rec, "(type $a u32)", "(type $a)"), "expected record, found u32"));
  CHECK(contains(instantiateWith(rec, "(type $a (record (field \"g\" u32)))", "(type $a)"),
                 "expected field name `f`, found `g`"));
  CHECK(contains(instantiateWith(rec, "(type $a (record (field \"f\" string)))", "(type $a)"),
                 "type mismatch in record field `f`"));
  const std::string tup = "(type $t (tuple u32 u32)) (import \"x\" (type (eq $t)))";
  CHECK(contains(instantiateWith(tup, "(type $a (tuple string string))", "(type $a)"),
                 "expected primitive `u32` found primitive `string`"));
  CHECK(contains(instantiateWith(tup, "(type $a (tuple u32))", "(type $a)"), "expected 2 types, found 1"));
  const std::string var = "(type $t (variant (case \"x\" u32))) (import \"x\" (type (eq $t)))";
  CHECK(contains(instantiateWith(var, "(type $a (variant (case \"x\")))", "(type $a)"),
                 "expected case `x` to have a type, found none"));
  const std::string res = "(type $t (result u32)) (import \"x\" (type (eq $t)))";
  CHECK(contains(instantiateWith(res, "(type $a (result u32 (error u8)))", "(type $a)"),
                 "expected err type to not be present"));
  const std::string en = "(type $t (enum \"a\" \"b\")) (import \"x\" (type (eq $t)))";
  CHECK(contains(instantiateWith(en, "(type $a (enum \"a\" \"c\"))", "(type $a)"), "mismatch in enum elements"));
}

TEST_CASE("subtyping: function and instance arguments", "[component]") {
  const std::string core = "(core module $m (func (export \"f\") (param i32)) (func (export \"g\")))"
                           "(core instance $i (instantiate $m))";
  const std::string f = core + "(func $f (param \"a\" u32) (canon lift (core func $i \"f\")))";
  CHECK(instantiateWith("(import \"x\" (func (param \"a\" u32)))", f, "(func $f)") == "");
  CHECK(contains(instantiateWith("(import \"x\" (func (param \"b\" u32)))", f, "(func $f)"),
                 "expected parameter named `b`, found `a`"));
  CHECK(contains(instantiateWith("(import \"x\" (func (param \"a\" s32)))", f, "(func $f)"),
                 "type mismatch in function parameter `a`"));
  CHECK(contains(instantiateWith("(import \"x\" (func (param \"a\" u32) (result u32)))", f, "(func $f)"),
                 "expected a result, found none"));
  // instances: every expected export must be there, at a subtype; extra exports are fine
  const std::string inst = f + "(func $g (canon lift (core func $i \"g\")))"
                               "(instance $in (export \"f\" (func $f)) (export \"g\" (func $g)))";
  CHECK(instantiateWith("(import \"x\" (instance (export \"f\" (func (param \"a\" u32)))))", inst, "(instance $in)") == "");
  CHECK(contains(instantiateWith("(import \"x\" (instance (export \"h\" (func))))", inst, "(instance $in)"),
                 "missing expected export `h`"));
  CHECK(contains(instantiateWith("(import \"x\" (instance (export \"g\" (func (param \"a\" u32)))))", inst,
                                 "(instance $in)"),
                 "type mismatch in instance export `g`"));
  CHECK(contains(instantiateWith("(import \"x\" (func))", inst, "(instance $in)"), "expected func found instance"));
}

TEST_CASE("subtyping: core module arguments", "[component]") {
  CHECK(instantiateWith("(import \"x\" (core module (export \"f\" (func))))",
                        "(core module $m (func (export \"f\")) (global (export \"g\") i32 (i32.const 0)))",
                        "(core module $m)") == "");
  CHECK(contains(instantiateWith("(import \"x\" (core module))", "(core module $m (import \"\" \"extra\" (global i32)))",
                                 "(core module $m)"),
                 "missing expected import `::extra`"));
  CHECK(contains(instantiateWith("(import \"x\" (core module (import \"\" \"f\" (func))))",
                                 "(core module $m (import \"\" \"f\" (global i32)))", "(core module $m)"),
                 "type mismatch in import `::f`"));
  CHECK(contains(instantiateWith("(import \"x\" (core module (export \"g\" (global i32))))",
                                 "(core module $m (func (export \"g\")))", "(core module $m)"),
                 "type mismatch in export `g`"));
  CHECK(contains(instantiateWith("(import \"x\" (core module (export \"m\" (memory 1 2))))",
                                 "(core module $m (memory (export \"m\") 1))", "(core module $m)"),
                 "mismatch in memory limits"));
  CHECK(instantiateWith("(import \"x\" (core module (export \"m\" (memory 1))))",
                        "(core module $m (memory (export \"m\") 2 3))", "(core module $m)") == "");
}

TEST_CASE("external visibility: named types used by imports and exports must be imported or exported", "[component]") {
  const std::string core = "(core module $m (func (export \"f\") (result i32) unreachable))"
                           "(core instance $i (instantiate $m))";
  // a record used by an exported function must be exported first, and the function must use the exported index
  CHECK(contains(validate("(component " + core +
                          "(type $Rec (record (field \"x\" u32)))"
                          "(func $f (result $Rec) (canon lift (core func $i \"f\")))"
                          "(export \"f\" (func $f)))"),
                 "func not valid to be used as export"));
  CHECK(contains(validate("(component " + core +
                          "(type $Rec (record (field \"x\" u32)))"
                          "(func $f (result $Rec) (canon lift (core func $i \"f\")))"
                          "(export $Rec2 \"rec\" (type $Rec))"
                          "(export \"f\" (func $f)))"),
                 "func not valid to be used as export"));
  CHECK(validate("(component " + core +
                 "(type $Rec (record (field \"x\" u32)))"
                 "(func $f (result $Rec) (canon lift (core func $i \"f\")))"
                 "(export $Rec2 \"rec\" (type $Rec))"
                 "(export \"f\" (func $f) (func (result $Rec2))))") == "");
  // resources likewise (unexported: rejected)
  CHECK(contains(validate("(component " + core +
                          "(type $R (resource (rep i32)))"
                          "(func $f (result (own $R)) (canon lift (core func $i \"f\")))"
                          "(export \"f\" (func $f)))"),
                 "func not valid to be used as export"));
  // imports may only use imported types
  CHECK(contains(validate("(component (type $R (resource (rep i32))) (import \"f\" (func (result (own $R)))))"),
                 "func not valid to be used as import"));
  CHECK(validate("(component (import \"r\" (type $R (sub resource))) (import \"f\" (func (result (own $R)))))") == "");
  CHECK(contains(validate("(component (type $Rec (record (field \"x\" u32))) (type $F (func (result $Rec)))"
                          " (import \"f\" (type (eq $F))))"),
                 "type not valid to be used as import"));
  // structural types need no name; an exported type's contents must be visible
  CHECK(validate("(component (core module $m2 (func (export \"g\") (param i32 i32)))"
                 " (core instance $i2 (instantiate $m2)) (type $T (tuple u32 u32))"
                 " (func $f (param \"t\" $T) (canon lift (core func $i2 \"g\"))) (export \"f\" (func $f)))") == "");
  CHECK(contains(validate("(component (type $Rec (record (field \"x\" u32))) (type $L (list $Rec))"
                          " (export \"l\" (type $L)))"),
                 "type not valid to be used as export"));
}

TEST_CASE("core modules in components: duplicate two-level imports, memory limits in module types", "[component]") {
  CHECK(contains(validate("(component (core module (import \"\" \"a\" (func)) (import \"\" \"a\" (func))))"),
                 "duplicate import name `:a`"));
  CHECK(contains(validate("(component (core type (module (import \"\" \"\" (func)) (import \"\" \"\" (func)))))"),
                 "duplicate import name `:`"));
  CHECK(contains(validate("(component (core type (module (import \"\" \"\" (memory 70000)))))"),
                 "memory size must be at most"));
  CHECK(validate("(component (core module (import \"\" \"a\" (func)) (import \"\" \"b\" (func))))") == "");
}

TEST_CASE("annotated names: constructors return their resource", "[component]") {
  CHECK(validate("(component (import \"a\" (type $a (sub resource))) (import \"[constructor]a\" (func (result (own $a)))))") == "");
  CHECK(validate("(component (import \"a\" (type $a (sub resource)))"
                 " (import \"[constructor]a\" (func (result (result (own $a))))))") == "");
  CHECK(contains(validate("(component (import \"a\" (type $a (sub resource))) (import \"[constructor]a\" (func (result string))))"),
                 "function should return `(own $T)` or `(result (own $T))`"));
  CHECK(contains(validate("(component (import \"b\" (type $a (sub resource))) (import \"[constructor]a\" (func (result (own $a)))))"),
                 "function does not match expected resource name `b`"));
  // a resource with two names (WIT `type headers = fields`): the constructor of either name
  CHECK(validate("(component (import \"fields\" (type $f (sub resource))) (import \"headers\" (type (eq $f)))"
                 " (import \"[constructor]fields\" (func (result (own $f)))))") == "");
  // an export's resource must be named among the exports
  CHECK(contains(validate("(component (import \"b\" (type $T (sub resource)))"
                          " (import \"f\" (func $f (param \"self\" (borrow $T)))) (export \"[method]b.foo\" (func $f)))"),
                 "resource used in function does not have a name in this context"));
}

TEST_CASE("name attributes: `implements` only on instances with plain names, and an interface name", "[component]") {
  CHECK(validate("(component (import \"a\" (implements \"a:b/c\") (instance)))") == "");
  CHECK(contains(validate("(component (import \"a\" (implements \"not-valid\") (instance)))"), "must be an interface"));
  CHECK(contains(validate("(component (import \"a\" (implements \"\") (instance)))"), "not a valid name"));
  CHECK(contains(validate("(component (import \"a\" (implements \"a:b/c\") (func)))"), "only instances can have an `implements`"));
  CHECK(contains(validate("(component (import \"a1:b/c\" (implements \"a2:b/c\") (instance)))"),
                 "name `a1:b/c` is not valid with `implements`"));
}

TEST_CASE("outer aliases: resources may not cross a component boundary; type declarations alias only types", "[component]") {
  CHECK(validate("(component $C (type $R (resource (rep i32))) (type (component (alias outer $C $R (type $a)))))") == "");
  CHECK(contains(validate("(component $C (type $R (resource (rep i32)))"
                          " (component (type (component (alias outer 2 0 (type $a))))))"),
                 "transitively refers to resources"));
  CHECK(contains(validate("(component $C (type $R (resource (rep i32))) (type $U (component (import \"a\" (type (eq $R)))))"
                          " (component (alias outer $C $U (type $a))))"),
                 "transitively refers to resources"));
  CHECK(contains(validate("(component $C (core module $M) (type (component (alias outer $C $M (core module $a)))))"),
                 "may only refer to types or instances"));
}

TEST_CASE("stream<char> is not valid at this time", "[component]") {
  CHECK(contains(validate("(component (type (stream char)))"), "`stream<char>` is not valid"));
  CHECK(validate("(component (type (stream u8)))") == "");
}

TEST_CASE("external visibility inside component type declarations (eager) but not instance types (deferred)", "[component]") {
  CHECK(contains(validate("(component (type (component (type $Rec (record (field \"x\" u32)))"
                          " (export \"f\" (func (param \"x\" $Rec))))))"),
                 "func not valid to be used as export"));
  CHECK(validate("(component (type (component (type $Rec (record (field \"x\" u32))) (export \"rec\" (type $R (eq $Rec)))"
                 " (export \"f\" (func (param \"x\" $R))))))") == "");
  CHECK(validate("(component (type (instance (type $Rec (record (field \"x\" u32)))"
                 " (export \"f\" (func (param \"x\" $Rec))))))") == "");
}

TEST_CASE("value types nest at most 100 deep (type nesting is too deep)", "[component]") {
  auto nested = [](int depth) {
    std::string t = "(component (type $t1 string)";
    for (int i = 2; i <= depth; ++i)
      t += " (type $t" + std::to_string(i) + " (list $t" + std::to_string(i - 1) + "))";
    return t + ")";
  };
  CHECK(validate(nested(100)) == "");
  CHECK(contains(validate(nested(101)), "type nesting is too deep"));
  // every compound kind counts one level (here an option around a record around a 99-deep list)
  CHECK(contains(validate("(component (type $t1 string)" + std::string([] {
                            std::string s;
                            for (int i = 2; i <= 99; ++i)
                              s += " (type $t" + std::to_string(i) + " (list $t" + std::to_string(i - 1) + "))";
                            return s;
                          }()) + " (type $r (record (field \"f\" $t99))) (type (option $r)))"),
                 "type nesting is too deep"));
}

TEST_CASE("exports of instance/component type declarations add an item: an exported instance may be aliased", "[component]") {
  CHECK(validate("(component (type (instance (export \"x\" (instance $x (type $t u32) (export \"y\" (type (eq $t)))))"
                 " (alias export $x \"y\" (type $t)) (export \"my-y\" (type (eq $t))))))") == "");
  CHECK(validate("(component (type (component (import \"x\" (instance $x (type $t u32) (export \"y\" (type (eq $t)))))"
                 " (alias export $x \"y\" (type $t)) (export \"my-y\" (type (eq $t))))))") == "");
  CHECK(contains(validate("(component (type (instance (export \"x\" (instance $x (type $t u32) (export \"y\" (type (eq $t)))))"
                          " (alias export $x \"z\" (type $t)))))"),
                 "has no export named `z`"));
}

TEST_CASE("resource identity through instantiation arguments, instance types and export ascriptions", "[component]") {
  const std::string eq = "(component $eq (import \"a\" (type $a (sub resource))) (import \"b\" (type (eq $a))))";
  auto both = [&](const std::string& defs, const std::string& a, const std::string& b) {
    return validate("(component " + defs + eq + " (instance (instantiate $eq (with \"a\" (type " + a +
                    ")) (with \"b\" (type " + b + ")))))");
  };
  const std::string notSame = "resource types are not the same";
  // `sub` bounds are fresh; `eq` bounds are the same resource
  const std::string imports = "(import \"T1\" (type $T1 (sub resource))) (import \"T2\" (type $T2 (sub resource)))"
                              " (import \"T3\" (type $T3 (eq $T2)))";
  CHECK(contains(both(imports, "$T1", "$T2"), notSame));
  CHECK(both(imports, "$T2", "$T3") == "");
  // resource definitions are generative, also per instantiation of one component
  CHECK(contains(both("(type $R1 (resource (rep i32))) (type $R2 (resource (rep i32)))", "$R1", "$R2"), notSame));
  const std::string c = "(component $C (type $r (resource (rep i32))) (export \"r1\" (type $r)) (export \"r2\" (type $r))"
                        " (export \"r3\" (type $r) (type (sub resource))))"
                        " (instance $c1 (instantiate $C)) (instance $c2 (instantiate $C))"
                        " (alias export $c1 \"r1\" (type $a1)) (alias export $c1 \"r2\" (type $a2))"
                        " (alias export $c1 \"r3\" (type $a3)) (alias export $c2 \"r1\" (type $b1))";
  CHECK(both(c, "$a1", "$a2") == "");             // two exports of one resource
  CHECK(contains(both(c, "$a1", "$b1"), notSame));  // two instantiations
  CHECK(contains(both(c, "$a1", "$a3"), notSame));  // an export ascribed (sub resource) is abstract
  // functions: own<T> against own<U>
  CHECK(contains(validate("(component (import \"T\" (type $T (sub resource))) (import \"U\" (type $U (sub resource)))"
                          " (import \"f\" (func $f (param \"x\" (own $U))))"
                          " (component $c (import \"T\" (type $T (sub resource))) (import \"g\" (func (param \"x\" (own $T)))))"
                          " (instance (instantiate $c (with \"T\" (type $T)) (with \"g\" (func $f)))))"),
                 notSame));
  // each import of one instance type has its own resources
  CHECK(contains(validate("(component (type $I (instance (export \"r\" (type $r (sub resource)))"
                          " (export \"f\" (func (result (own $r))))))"
                          " (import \"i1\" (instance $i1 (type $I))) (import \"i2\" (instance $i2 (type $I)))"
                          " (component $C (import \"r\" (type $r (sub resource))) (import \"f\" (func (result (own $r)))))"
                          " (instance (instantiate $C (with \"r\" (type $i1 \"r\")) (with \"f\" (func $i2 \"f\")))))"),
                 notSame));
  // instantiation substitutes the arguments: a child's export of this component's own resource stays local
  const std::string thread = "(type $R (resource (rep i32))) (component $C (import \"x\" (type $x (sub resource)))"
                             " (export \"y\" (type $x))) (instance $c (instantiate $C (with \"x\" (type $R))))"
                             " (alias export $c \"y\" (type $R2))";
  CHECK(validate("(component " + thread + " (core func (canon resource.rep $R2)))") == "");
  CHECK(contains(validate("(component (component $C (type $R (resource (rep i32))) (export \"r\" (type $R)))"
                          " (instance $c (instantiate $C)) (alias export $c \"r\" (type $R)) (core func (canon resource.rep $R)))"),
                 "not a local resource"));
  // kinds at type imports
  CHECK(contains(validate("(component (component $c (import \"x\" (type (sub resource)))) (type $x u32)"
                          " (instance (instantiate $c (with \"x\" (type $x)))))"),
                 "expected resource, found defined type"));
  CHECK(contains(validate("(component (component $c (type $t u32) (import \"x\" (type (eq $t))))"
                          " (type $x (resource (rep i32))) (instance (instantiate $c (with \"x\" (type $x)))))"),
                 "expected defined type, found resource"));
}

TEST_CASE("external visibility: exported instances, instance types at imports/exports, aliases, pre-export indices", "[component]") {
  const std::string core = "(core module $m (func (export \"f\") (result i32) unreachable) (func (export \"g\") (param i32)))"
                           " (core instance $i (instantiate $m))";
  // a resource's pre-export index is not visible to exports; its exported index is
  CHECK(contains(validate("(component " + core + " (type $R (resource (rep i32))) (func $f (result (own $R))"
                          " (canon lift (core func $i \"f\"))) (export $R' \"r\" (type $R)) (export \"f\" (func $f)))"),
                 "func not valid to be used as export"));
  CHECK(validate("(component " + core + " (type $R (resource (rep i32))) (export $R' \"r\" (type $R))"
                 " (func $f (result (own $R')) (canon lift (core func $i \"f\"))) (export \"f\" (func $f))"
                 " (core func (canon resource.new $R')))") == "");
  // an exported bag of exports is checked export by export
  CHECK(contains(validate("(component " + core + " (type $R (resource (rep i32))) (func $f (result (own $R))"
                          " (canon lift (core func $i \"f\"))) (instance $bag (export \"f\" (func $f)))"
                          " (export \"bag\" (instance $bag)))"),
                 "instance not valid to be used as export"));
  CHECK(validate("(component " + core + " (type $R (resource (rep i32))) (func $f (result (own $R))"
                 " (canon lift (core func $i \"f\"))) (instance $bag (export \"r\" (type $R)) (export \"f\" (func $f)))"
                 " (export \"bag\" (instance $bag)))") == "");
  // instance types are checked where they become an import or export (also as a type)
  const std::string it = "(type $I (instance (type $Rec (record (field \"x\" u32))) (type $Rec2 (record (field \"r\" $Rec)))"
                         " (export \"t\" (type (eq $Rec2)))))";
  CHECK(contains(validate("(component " + it + " (import \"i\" (instance (type $I))))"), "instance not valid to be used as import"));
  CHECK(contains(validate("(component " + it + " (import \"i\" (type (eq $I))))"), "type not valid to be used as import"));
  CHECK(contains(validate("(component " + it + " (export \"i\" (type $I)))"), "type not valid to be used as export"));
  // aliasing out of an exported instance confers a name; out of an unexported bag it does not
  const std::string bag = "(type $Rec (record (field \"x\" u32))) (instance $bag (export \"t\" (type $Rec)))";
  CHECK(validate("(component " + core + bag + " (export $bag' \"i\" (instance $bag)) (alias export $bag' \"t\" (type $Rec'))"
                 " (func $f (param \"r\" $Rec') (canon lift (core func $i \"g\"))) (export \"f\" (func $f)))") == "");
  CHECK(contains(validate("(component " + core + bag + " (alias export $bag \"t\" (type $Rec'))"
                          " (func $f (param \"r\" $Rec') (canon lift (core func $i \"g\"))) (export \"f\" (func $f)))"),
                 "func not valid to be used as export"));
  // types imported with an `eq` bound are the arguments' after instantiation (their names thread through)
  CHECK(validate("(component (type $Rec (record (field \"x\" u32))) (import \"t\" (type $Rec' (eq $Rec)))"
                 " (component $C (type $Rec (record (field \"x\" u32))) (import \"t\" (type $Rec' (eq $Rec)))"
                 " (type $Rec2 (record (field \"r\" $Rec'))) (export \"t2\" (type $Rec2)))"
                 " (instance $c (instantiate $C (with \"t\" (type $Rec')))) (export \"t2\" (type $c \"t2\")))") == "");
}

TEST_CASE("the maximum value size holds for both pointer widths", "[component]") {
  CHECK(validate("(component (type (list string 8388608)))") == "");  // 64 MiB / 128 MiB
  // 128 MiB with 32-bit memories, 256 MiB (the limit) with 64-bit ones
  CHECK(contains(validate("(component (type (list string 16777216)))"), "exceeds maximum byte size"));
}

TEST_CASE("annotated names in a bag of exports: the resource exported by the bag and nameable outside", "[component]") {
  // an imported resource re-bundled with its constructor and a method: valid
  CHECK(validate("(component (import \"r\" (type $r (sub resource)))"
                 " (import \"[constructor]r\" (func $c (result (own $r))))"
                 " (import \"[method]r.m\" (func $m (param \"self\" (borrow $r))))"
                 " (instance (export \"r\" (type $r)) (export \"[constructor]r\" (func $c)) (export \"[method]r.m\" (func $m))))") == "");
  // the bag does not export `r` first
  CHECK(contains(validate("(component (import \"r\" (type $r (sub resource)))"
                          " (import \"[constructor]r\" (func $c (result (own $r))))"
                          " (instance (export \"[constructor]r\" (func $c))))"),
                 "resource used in function does not have a name in this context"));
  // a method of another resource than the one named
  CHECK(contains(validate("(component (import \"r\" (type $r (sub resource))) (import \"s\" (type $s (sub resource)))"
                          " (import \"[method]s.m\" (func $m (param \"self\" (borrow $s))))"
                          " (instance (export \"r\" (type $r)) (export \"[method]r.m\" (func $m))))"),
                 "resource used in function does not have a name in this context"));
  // a resource defined here and named by no import or export (annotated-names.wast)
  CHECK(contains(validate("(component (type $T (resource (rep i32)))"
                          " (core module $m (func (export \"a\") (result i32) unreachable)) (core instance $i (instantiate $m))"
                          " (func $f (result (own $T)) (canon lift (core func $i \"a\")))"
                          " (instance (export \"a\" (type $T)) (export \"[constructor]a\" (func $f))))"),
                 "resource used in function does not have a name in this context"));
}

TEST_CASE("[method]R.l / [static]R.l conflict with a plain `l` among a component's names, not inside instance types",
          "[component]") {
  CHECK(contains(validate("(component (import \"a\" (type $a (sub resource)))"
                          " (import \"[method]a.a\" (func (param \"self\" (borrow $a)))))"),
                 "import name `[method]a.a` conflicts with previous name `a`"));
  CHECK(contains(validate("(component (import \"r\" (type $r (sub resource)))"
                          " (import \"[static]r.x\" (func)) (import \"x\" (func)))"),
                 "import name `x` conflicts with previous name `[static]r.x`"));
  // a component type's imports too
  CHECK(contains(validate("(component (type (component (import \"a\" (type $a (sub resource)))"
                          " (import \"[static]a.a\" (func)))))"),
                 "conflicts with previous name `a`"));
  // [constructor]a does not conflict with `a`
  CHECK(validate("(component (import \"a\" (type $a (sub resource))) (import \"[constructor]a\" (func (result (own $a)))))") == "");
  // inside an instance type (as in WASI 0.2's wasi:http/types: `method` and `[method]incoming-request.method`)
  CHECK(validate("(component (import \"wasi:http/types@0.2.0\" (instance (type $m (variant (case \"get\")))"
                 " (export \"method\" (type (eq $m)))"
                 " (export \"incoming-request\" (type $r (sub resource)))"
                 " (export \"[method]incoming-request.method\" (func (param \"self\" (borrow $r)))))))") == "");
}
