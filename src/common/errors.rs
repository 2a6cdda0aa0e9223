//! An error and its causes as one log line.

/// An error with its causes, `outer: inner: innermost`, for logs. A cause whose text the line
/// already holds is skipped, since many errors print their source inside their own message.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum Inner {
        #[error("connection refused")]
        Refused,
    }

    #[derive(Debug, thiserror::Error)]
    enum Outer {
        /// Names its cause separately: the chain adds it.
        #[error("store unreachable")]
        Separate(#[source] Inner),
        /// Prints its cause itself: the chain does not repeat it.
        #[error("store unreachable: {0}")]
        Embedded(#[source] Inner),
    }

    #[test]
    fn the_chain_names_each_cause_once() {
        assert_eq!(
            error_chain(&Outer::Separate(Inner::Refused)),
            "store unreachable: connection refused"
        );
        assert_eq!(
            error_chain(&Outer::Embedded(Inner::Refused)),
            "store unreachable: connection refused"
        );
        assert_eq!(error_chain(&Inner::Refused), "connection refused");
    }
}
