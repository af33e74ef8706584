import CLibPQ

public extension PostgresConnection {
    /// The linked libpq, e.g. "17.2" (PQlibVersion: major * 10000 + minor from 10 on).
    static var libraryVersion: String {
        let v = Int(PQlibVersion())
        return v >= 100_000 ? "\(v / 10000).\(v % 10000)" : "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }
}
