// Excerpt.swift: a piece of outside input short enough to quote in an error message.
/// A piece of outside input short enough to quote in an error message.
///
/// Every message that repeats text from a file or an option (a CSV header name, a string from a
/// model file) quotes it through ``quoted(_:limit:)``, so no message carries more than `limit`
/// characters of it, and a cut says how long the text was.
public enum Excerpt {
    /// The most characters of one piece of input a message repeats.
    public static let limit = 200

    /// `text` in double quotes when it has at most `limit` characters; otherwise its first `limit`
    /// characters, `…`, and its length: `"aaaa…" (100000 characters)`.
    public static func quoted(_ text: some StringProtocol, limit: Int = limit) -> String {
        let count = text.count
        guard count > limit else { return "\"\(text)\"" }
        return "\"\(text.prefix(limit))…\" (\(count) characters)"
    }
}
