// TRANSITION: removed once the drivers and connectors no longer call it.
extension Redactor {
    public static let shared = Redactor()
}
