//! Masking of personal data for logs and error messages (UU PDP): `3201********0001`.
//!
//! - [`mask_identifier`] keeps the first 4 and last 4 characters of identifiers of 10+ characters, stars
//!   in between; shorter ones are all stars.
//! - [`mask_name`] keeps the first letter of each word.
//! - [`mask_digit_runs`] masks every run of 10+ digits inside free text (server error text quoted in an
//!   error detail).

/// `3201051403090007` → `3201********0007`; fewer than 10 characters → all stars.
pub fn mask_identifier(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..4]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - 8))
        .chain(chars[n - 4..].iter())
        .collect()
}

/// `Putri Ayu Lestari` → `P**** A** L******`.
pub fn mask_name(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => format!("{first}{}", "*".repeat(c.count())),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Mask every run of 10 or more ASCII digits in free text (NIK, NISN, NIP, phone numbers) with
/// [`mask_identifier`]; everything else is kept. For server text quoted in error details and logs.
pub fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 10 {
            out.push_str(&mask_identifier(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}
