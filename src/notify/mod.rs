//! Notifications that arrive from AWS by themselves (F16–F18): SNS HTTP(S) deliveries, verified
//! before anything in them is believed, and what their messages say. Owns the SNS protocol and
//! the notification formats; it never posts to Teams itself.

pub mod message;
pub mod sns;

/// `text` cut to at most `max_bytes` bytes at a character boundary, ending in "…" when cut.
/// Refusals quote what they refuse through it, so a quoted value is bounded in bytes however
/// wide its characters are.
fn cut_bytes(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut end = max_bytes.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
