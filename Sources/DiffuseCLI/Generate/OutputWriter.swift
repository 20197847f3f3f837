import DiffuseImage

/// How `diffuse generate` writes its PNGs so that no user file is lost:
/// - a symlink, folder or device at an output name is refused before any work (`check`);
/// - an existing file is replaced only with `--overwrite`; otherwise the next free name is taken
///   (`out.png` → `out.2.png`, as A1111 numbers its files) and printed;
/// - every image is first written to a temporary file in its folder; only when all are written are they
///   moved into place (an existing name is claimed atomically, so a file that appears meanwhile is not
///   replaced either); on any error, or SIGINT/SIGTERM, the temporaries and the files this run created
///   are removed — never a file that was there before.
struct OutputWriter {
    let overwrite: Bool

    /// Before any work: no output name may hold anything but a regular file.
    func check(_ paths: [String]) throws {
        for path in paths {
            if case .other(let kind) = OutputTarget(path) {
                throw GenerateError("--output \(path): \(kind) is there; outputs are written only to regular files — choose another name")
            }
        }
    }

    /// Writes `files` (asked path, PNG bytes); returns where each went.
    func write(_ files: [(path: String, bytes: [UInt8])]) throws -> [String] {
        try Interrupt.whileWriting {
            var temps: [String?] = []
            var created: [String] = []
            do {
                for file in files {
                    if Interrupt.requested { throw InterruptedError() }
                    temps.append(try OutputFile.writeTemporary(file.bytes, for: file.path))
                }
                if Interrupt.requested { throw InterruptedError() }
                var written: [String] = []
                for (i, file) in files.enumerated() {
                    let target = try place(temps[i]!, at: file.path)
                    temps[i] = nil
                    if target.created { created.append(target.path) }
                    written.append(target.path)
                }
                return written
            } catch {
                for temp in temps.compactMap({ $0 }) { OutputFile.remove(temp) }
                for path in created { OutputFile.remove(path) }
                throw error
            }
        }
    }

    /// Moves `temp` to `path` (or, without `--overwrite`, to the first free name from it).
    private func place(_ temp: String, at path: String) throws -> (path: String, created: Bool) {
        if overwrite {
            let created = OutputTarget(path) == .free
            _ = try OutputFile.commit(temp, to: path, replacing: true)
            return (path, created)
        }
        var taken: Set<String> = []
        while true {
            guard let name = OutputFile.freeName(for: path, taken: taken) else {
                throw GenerateError("--output \(path): no free name left beside it; choose another name or pass --overwrite")
            }
            if try OutputFile.commit(temp, to: name, replacing: false) { return (name, true) }
            taken.insert(name)   // created by someone else meanwhile: the next one
        }
    }
}
