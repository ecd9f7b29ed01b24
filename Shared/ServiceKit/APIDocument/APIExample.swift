/// A request or answer body with a typical value: the API document derives the body's schema from
/// it (`SchemaEncoder`), so the schema is the type's own encoding, not a description kept beside it.
/// The example sets every optional field the type may send (a field it leaves nil is still known,
/// from its type, for the basic types and other `APIExample` types).
public protocol APIExample: Encodable {
    static var example: Self { get }
}

extension Array: APIExample where Element: APIExample {
    public static var example: [Element] { [Element.example] }
}
