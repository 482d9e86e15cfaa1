/// A token of the expression language.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case number(Value)
        case string(String)
        case identifier(String)
        case op(String)
        case end
    }
    var kind: Kind
    var offset: Int
}
