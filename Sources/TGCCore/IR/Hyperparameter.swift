/// A `hyper("name", default)` of a program: a run-time one is a float64 scalar that the
/// generated program's `--name X` sets; a fixed one was compiled in (its value shapes
/// something static) and `--name` with another value is refused with a hint to recompile.
public struct Hyperparameter: Hashable, Sendable {
    public var name: String
    /// The value as compiled (a run-time one's default), as the program's `--help` shows it.
    public var value: String
    public var isFixed: Bool

    public init(name: String, value: String, isFixed: Bool) {
        (self.name, self.value, self.isFixed) = (name, value, isFixed)
    }
}
