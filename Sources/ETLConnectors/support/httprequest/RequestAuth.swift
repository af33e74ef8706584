import ETLCore
import ETLHTTP

/// The `auth` block as the driver's credentials: exactly one kind.
enum RequestAuth {
    static func make(_ options: Options) throws -> HTTPAuth? {
        guard let auth = options[HTTPRequestOptions.auth] else { return nil }
        typealias A = HTTPRequestOptions.Auth
        var found: [HTTPAuth] = []
        if let token = auth[A.bearer] { found.append(.bearer(token: token)) }
        if let basic = auth[A.basic] {
            found.append(.basic(user: basic[HTTPRequestOptions.Basic.username], password: basic[HTTPRequestOptions.Basic.password]))
        }
        if let header = auth[A.header] {
            found.append(.header(name: header[HTTPRequestOptions.AuthHeader.name], value: header[HTTPRequestOptions.AuthHeader.value]))
        }
        guard found.count <= 1 else {
            throw options.error(HTTPRequestOptions.auth, "auth takes one of bearer, basic or header, not several",
                                hint: "keep the one the API expects")
        }
        guard let one = found.first else {
            // Written with a variable that is unset here (validate in CI): already warned
            // about, and a run refuses to start without it.
            if !auth.locations.isEmpty { return nil }
            throw options.error(HTTPRequestOptions.auth, "auth is empty", hint: "write e.g. `auth: {bearer: \"${API_TOKEN}\"}`")
        }
        return one
    }
}
