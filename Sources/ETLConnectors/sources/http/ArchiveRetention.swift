import ETLCore
import Foundation

/// Retention for a directory archive: age out old files by modification time.
///
/// It runs after every archived payload, over every file the pipeline ever kept (30 days
/// of an hourly pipeline is 720 files): the tree is read with opendir/readdir and lstat,
/// and a file's age is checked before its name is matched. Foundation's directory
/// enumerator with resource values cost over 500,000 instructions a file, more than the
/// rest of a small run.
enum ArchiveRetention {
    /// Deletes regular files whose path relative to `root` starts with `prefix`, is a key
    /// `pattern` can have produced, and whose mtime is before `cutoff`; then removes the
    /// directories that deleting them left empty. Returns the deleted paths, and the folders
    /// it could not read (their old payloads stay: the caller says so). Symbolic
    /// links are neither followed nor deleted. The pattern (an ICU regular expression, ~2.5 ms
    /// to compile) is made only once a file is old enough to need it.
    static func deleteFiles(in root: String, under prefix: String, matching makePattern: () -> ArchiveKeyPattern,
                            olderThan cutoff: Date) throws -> (deleted: [String], unreadable: [String]) {
        let rootPath = URL(fileURLWithPath: root).standardizedFileURL.path
        let base = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"
        // The prefix may end inside a file name (`logs/inv_`): walk from its directory part.
        let dirPart = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let cutoffSeconds = cutoff.timeIntervalSince1970
        var compiled: ArchiveKeyPattern?
        var deleted: [String] = []
        var unreadable: [String] = []
        var directories: Set<String> = []
        var pending = [dirPart]           // directories still to read, relative to root
        while let relativeDir = pending.popLast() {
            let dirPath = relativeDir.isEmpty ? rootPath : base + relativeDir
            guard let dir = opendir(dirPath) else {
                // Missing: nothing archived there yet (or removed meanwhile). Anything else is a problem.
                // errno is read first: building the message allocates, which may change it.
                let failure = errno
                if failure != ENOENT { unreadable.append("\(dirPath): \(String(cString: strerror(failure)))") }
                continue
            }
            defer { closedir(dir) }
            var reported = false
            while let entry = readdir(dir) {
                let name = DirectoryEntryName.string(of: entry)
                guard name != "." && name != ".." else { continue }
                let relative = relativeDir.isEmpty ? name : relativeDir + "/" + name
                let path = base + relative
                var info = stat()
                guard lstat(path, &info) == 0 else {
                    // A folder that can be listed but not searched (read without execute
                    // permission) fails here for every entry: said once, like an unreadable one.
                    let failure = errno
                    if failure != ENOENT && !reported {
                        reported = true
                        unreadable.append("\(dirPath): \(String(cString: strerror(failure)))")
                    }
                    continue
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    pending.append(relative)
                case S_IFREG:
                    let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
                    guard modified < cutoffSeconds, relative.hasPrefix(prefix) else { continue }
                    let pattern = compiled ?? makePattern()
                    compiled = pattern
                    guard pattern.matches(relative) else { continue }
                    guard unlink(path) == 0 else {
                        let problem = String(cString: strerror(errno))
                        throw ETLError("cannot delete expired archive file \(path): \(problem)",
                                       hint: "check the archive directory's permissions")
                    }
                    deleted.append(path)
                    // Its folders, up to the prefix's own: candidates for removal once empty.
                    var folder = (relative as NSString).deletingLastPathComponent
                    while !folder.isEmpty && folder.hasPrefix(prefix) && folder.count > dirPart.count {
                        directories.insert(base + folder)
                        folder = (folder as NSString).deletingLastPathComponent
                    }
                default:
                    continue
                }
            }
        }
        // Deepest first, so a parent emptied by its children goes too (rmdir leaves a folder
        // that still holds anything). The prefix's own directory stays, and so does any
        // folder we deleted nothing from.
        for folder in directories.sorted(by: { $0.count > $1.count }) { rmdir(folder) }
        return (deleted.sorted(), unreadable)
    }
}
