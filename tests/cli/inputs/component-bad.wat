;; a component text with a typo in its core module (`myrt run`/`validate` report LINE:COL of the text)
(component
  (core module $m (func (export "f") (resul i32)))
)
