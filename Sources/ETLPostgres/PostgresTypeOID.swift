/// Built-in type OIDs, as `PostgresResult.columnTypes` reports them (fixed in
/// `pg_type.dat`, identical on every server).
public enum PostgresTypeOID {
    public static let bool: UInt32 = 16
    public static let char: UInt32 = 18
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802

    /// Element type of each built-in one-dimensional array type of the types
    /// above (`int8[]` is 1016 → 20): an array column's text is `{…}` of elements
    /// in the element type's text form.
    public static let arrayElement: [UInt32: UInt32] = [
        1000: bool, 1002: char, 1003: name, 1016: int8, 1005: int2, 1007: int4, 1009: text, 1028: oid,
        199: json, 1021: float4, 1022: float8, 1014: bpchar, 1015: varchar, 1182: date, 1115: timestamp,
        1185: timestamptz, 1231: numeric, 2951: uuid, 3807: jsonb,
    ]
}
