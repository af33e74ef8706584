import Foundation

/// Says in plain words why a file could not be written or deleted, instead of
/// Foundation's "The operation could not be completed. (NSCocoaErrorDomain error 512.)".
public enum FileProblem {
    public static func describe(_ error: Error, path: String) -> String {
        let fm = FileManager.default
        // A folder on the way that is a file: the usual cause of Cocoa error 512.
        var isDir: ObjCBool = false
        var ancestor = (path as NSString).deletingLastPathComponent
        while !ancestor.isEmpty && ancestor != "/" {
            if fm.fileExists(atPath: ancestor, isDirectory: &isDir) {
                if !isDir.boolValue { return "\(ancestor) is a file, not a directory" }
                break
            }
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        if let posix = posixCode(error) { return String(cString: strerror(posix)) }
        if !ancestor.isEmpty && fm.fileExists(atPath: ancestor) && !fm.isWritableFile(atPath: ancestor) {
            return "no permission to write in \(ancestor)"
        }
        return error.localizedDescription
    }

    /// The errno behind a Foundation file error, if it carries one.
    static func posixCode(_ error: Error) -> Int32? {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return posixCode(underlying) }
        return nil
    }
}
