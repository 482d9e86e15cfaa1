/// How a status looks, in one place for the terminal (``TextReporter``) and the web console:
/// its glyph and its colour. Green passes, yellow warns or waits, red fails, magenta could not
/// run, cyan is only a plan, dim is everything else (skipped, running, unfinished).
public struct StatusStyle: Sendable, Hashable {
    /// The colour's name (`green`, `yellow`, `red`, `magenta`, `cyan`, `dim`): a CSS class in
    /// the console.
    public var tone: String
    /// The glyph before the status word.
    public var glyph: String
    /// The glyph in a web page: the same but for `⏸`, which Debian's default fonts lack (it
    /// shows as an empty box in chromium there): `‖` instead.
    public var webGlyph: String { glyph == "⏸" ? "‖" : glyph }
    /// The ANSI SGR code of ``tone``.
    public var ansi: String

    /// The style of `status` (a run's, a check's or an action's).
    public init(_ status: String) {
        switch status {
        case "green", "succeeded", "approved", "intact": (tone, glyph, ansi) = ("green", "✔", "32")
        case "yellow": (tone, glyph, ansi) = ("yellow", "▲", "33")
        case "red", "failed", "declined", "denied", "tampered", "unenforced": (tone, glyph, ansi) = ("red", "✖", "31")
        case "error": (tone, glyph, ansi) = ("magenta", "✖", "35")
        case "planned": (tone, glyph, ansi) = ("cyan", "◇", "36")
        case "awaiting-approval", "pending": (tone, glyph, ansi) = ("yellow", "⏸", "33")
        case "running": (tone, glyph, ansi) = ("cyan", "▶", "36")
        default: (tone, glyph, ansi) = ("dim", "·", "2")
        }
    }
}
