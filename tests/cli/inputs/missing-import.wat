(module (import "env" "f" (func (param i32))))
