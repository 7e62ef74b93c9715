// PythonModules.swift: the Python packages a test needs, checked with a message saying how to install them.
import Foundation

extension Python {
    /// Throws, saying how to install them, unless Python can import every one of `modules`
    /// (`scripts/setup.sh --python` installs them all).
    public static func require(_ modules: [String], install: String) throws {
        do {
            _ = try run("import " + modules.joined(separator: ", "))
        } catch {
            throw Failure(description: "this test needs Python's \(modules.joined(separator: ", ")): run `scripts/setup.sh --python` or `\(install)` (\(error))")
        }
    }

    /// Runs `script` with `input` (any JSON-serialisable value) as JSON on standard input's stead
    /// (a file whose path is `sys.argv[1]`) and returns the JSON the script prints.
    public static func json(_ script: String, input: Any, arguments: [String] = []) throws -> Any {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-py-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: input).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let text = try run(script, [path.path] + arguments)
        return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }
}
