import ETLCore
import ETLHTTP

extension HTTPError {
    /// The same failure as the project-wide error type.
    public var etlError: ETLError { ETLError(message, hint: hint) }
}

extension S3Error {
    /// The same failure as the project-wide error type.
    public var etlError: ETLError { ETLError(message, hint: hint) }
}
