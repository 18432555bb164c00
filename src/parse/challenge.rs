//! The RFC 9110 §11 `WWW-Authenticate` grammar: several challenges per field, token68, quoted strings.

use super::ParseError;

/// One auth-param as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The name as sent (compare case-insensitively).
    pub name: String,
    /// The value after removing quotes and quoted-pair escapes.
    pub value: String,
    /// Whether the value was a quoted-string.
    pub quoted: bool,
}

/// One challenge: a scheme and either a token68 or a list of parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Challenge {
    pub scheme: String,
    pub token68: Option<String>,
    pub params: Vec<Param>,
}

impl Challenge {
    /// The first parameter named `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Whether the scheme is `scheme` (case-insensitive, RFC 9110 §11.1).
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }
}

/// Parameter `name` of a response's challenges: the Bearer challenge's first, else another
/// scheme's. RFC 9728 §5.1 lets `resource_metadata` ride any scheme's challenge, and a resource
/// that takes DPoP-bound tokens only (RFC 9449 §7.1) sends no Bearer challenge at all.
pub fn param<'c>(chs: &'c [Challenge], name: &str) -> Option<&'c Param> {
    chs.iter()
        .filter(|c| c.is("bearer"))
        .chain(chs.iter().filter(|c| !c.is("bearer")))
        .find_map(|c| c.param(name))
}

/// Whether the challenges offer DPoP and no Bearer: the resource takes DPoP-bound tokens only
/// (RFC 9449 §7.1), so RFC 6750's Bearer rules do not apply to it.
pub fn dpop_only(chs: &[Challenge]) -> bool {
    chs.iter().any(|c| c.is("dpop")) && !chs.iter().any(|c| c.is("bearer"))
}

/// Parses every field line of `WWW-Authenticate` (joined as a list, RFC 9110 §5.3).
pub fn parse_fields<'a>(
    lines: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Challenge>, ParseError> {
    let joined: Vec<&str> = lines.into_iter().collect();
    parse(&joined.join(", "))
}

/// Parses one combined `WWW-Authenticate` value.
pub fn parse(input: &str) -> Result<Vec<Challenge>, ParseError> {
    let mut p = Parser {
        s: input.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        p.skip_list_separators();
        if p.eof() {
            return Ok(out);
        }
        out.push(p.challenge()?);
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn is_t68(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~+/".contains(&c)
}

impl Parser<'_> {
    fn eof(&self) -> bool {
        self.i >= self.s.len()
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }
    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn challenge(&mut self) -> Result<Challenge, ParseError> {
        let scheme = self
            .token()
            .ok_or_else(|| ParseError::at(self.i, "expected an auth-scheme token"))?;
        let mut ch = Challenge {
            scheme,
            ..Challenge::default()
        };
        if !matches!(self.peek(), Some(b' ' | b'\t')) {
            return self.end_of_challenge(ch);
        }
        self.skip_ws();
        if self.eof() || self.peek() == Some(b',') {
            return Ok(ch);
        }
        if let Some(t68) = self.try_token68() {
            ch.token68 = Some(t68);
            return self.end_of_challenge(ch);
        }
        loop {
            ch.params.push(self.param()?);
            self.skip_ws();
            match self.peek() {
                None => return Ok(ch),
                Some(b',') => {
                    if !self.next_is_param() {
                        return Ok(ch);
                    }
                    self.skip_list_separators();
                }
                Some(_) => {
                    return Err(ParseError::at(
                        self.i,
                        "expected ',' or end after auth-param",
                    ));
                }
            }
        }
    }

    fn end_of_challenge(&mut self, ch: Challenge) -> Result<Challenge, ParseError> {
        self.skip_ws();
        match self.peek() {
            None | Some(b',') => Ok(ch),
            Some(_) => Err(ParseError::at(
                self.i,
                "unexpected character after challenge",
            )),
        }
    }

    /// A token68 is only taken when what follows it ends the challenge.
    fn try_token68(&mut self) -> Option<String> {
        let start = self.i;
        let mut j = self.i;
        while self.s.get(j).copied().is_some_and(is_t68) {
            j += 1;
        }
        if j == start {
            return None;
        }
        while self.s.get(j) == Some(&b'=') {
            j += 1;
        }
        let mut k = j;
        while matches!(self.s.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        if !matches!(self.s.get(k), None | Some(b',')) {
            return None;
        }
        self.i = j;
        Some(String::from_utf8_lossy(&self.s[start..j]).into_owned())
    }

    /// After a comma: does a `token BWS "="` follow (another param) rather than a new scheme?
    fn next_is_param(&self) -> bool {
        let mut j = self.i;
        while matches!(self.s.get(j), Some(b' ' | b'\t' | b',')) {
            j += 1;
        }
        let start = j;
        while self.s.get(j).copied().is_some_and(is_tchar) {
            j += 1;
        }
        if j == start {
            return false;
        }
        while matches!(self.s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        self.s.get(j) == Some(&b'=')
    }

    fn param(&mut self) -> Result<Param, ParseError> {
        let name = self
            .token()
            .ok_or_else(|| ParseError::at(self.i, "expected an auth-param name"))?;
        self.skip_ws();
        if self.peek() != Some(b'=') {
            return Err(ParseError::at(
                self.i,
                format!("expected '=' after parameter {name}"),
            ));
        }
        self.i += 1;
        self.skip_ws();
        if self.peek() == Some(b'"') {
            let value = self.quoted_string()?;
            return Ok(Param {
                name,
                value,
                quoted: true,
            });
        }
        let value = self.token().ok_or_else(|| {
            ParseError::at(
                self.i,
                format!("expected a token or quoted-string value for {name}"),
            )
        })?;
        Ok(Param {
            name,
            value,
            quoted: false,
        })
    }

    fn quoted_string(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(ParseError::at(open, "unterminated quoted-string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\\') => {
                    let escaped = self
                        .s
                        .get(self.i + 1)
                        .copied()
                        .filter(|&c| c == b'\t' || c >= 0x20 && c != 0x7f)
                        .ok_or_else(|| ParseError::at(self.i, "invalid quoted-pair"))?;
                    out.push(escaped);
                    self.i += 2;
                }
                Some(c) if c == b'\t' || (c >= 0x20 && c != 0x7f) => {
                    out.push(c);
                    self.i += 1;
                }
                Some(_) => {
                    return Err(ParseError::at(self.i, "control character in quoted-string"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, value: &str, quoted: bool) -> Param {
        Param {
            name: name.into(),
            value: value.into(),
            quoted,
        }
    }

    #[test]
    fn bearer_with_resource_metadata() {
        let c = parse(
            r#"Bearer resource_metadata="https://a.example/.well-known/oauth-protected-resource""#,
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert!(c[0].is("bearer"));
        assert_eq!(
            c[0].param("RESOURCE_METADATA").unwrap().value,
            "https://a.example/.well-known/oauth-protected-resource"
        );
    }

    #[test]
    fn several_challenges_and_token68() {
        let c = parse(r#"Basic realm="x, y", Bearer error=invalid_token, scope="a b", Negotiate abc+/==, DPoP algs="ES256""#)
            .unwrap();
        let schemes: Vec<_> = c.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Basic", "Bearer", "Negotiate", "DPoP"]);
        assert_eq!(c[0].params, vec![p("realm", "x, y", true)]);
        assert_eq!(
            c[1].params,
            vec![p("error", "invalid_token", false), p("scope", "a b", true)]
        );
        assert_eq!(c[2].token68.as_deref(), Some("abc+/=="));
    }

    #[test]
    fn escapes_bare_scheme_and_empty_elements() {
        let c = parse(r#" , Bearer, Basic realm="a\"b\\c" ,,"#).unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].params.is_empty() && c[0].token68.is_none());
        assert_eq!(c[1].params[0].value, r#"a"b\c"#);
    }

    #[test]
    fn duplicate_params_are_kept() {
        let c = parse("Bearer realm=\"a\", Realm=\"b\"").unwrap();
        assert_eq!(c[0].params.len(), 2);
    }

    #[test]
    fn repeated_fields_join() {
        let c = parse_fields(["Bearer realm=\"a\"", "Basic realm=\"b\""]).unwrap();
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn errors_name_the_byte() {
        assert_eq!(parse("Bearer realm=\"abc").unwrap_err().offset, 13);
        assert_eq!(parse("Bearer a=b c").unwrap_err().offset, 11);
        assert_eq!(parse("Bearer =x").unwrap_err().offset, 7);
        assert_eq!(parse("\"x\"").unwrap_err().offset, 0);
    }

    #[test]
    fn dpop_only_means_dpop_and_no_bearer() {
        let only = |v: &str| dpop_only(&parse(v).unwrap());
        assert!(only(
            r#"DPoP algs="ES256", resource_metadata="https://r/.well-known/x""#
        ));
        assert!(!only(r#"Bearer realm="r", DPoP algs="ES256""#));
        assert!(!only(r#"Basic realm="r""#));
        let chs = parse(r#"DPoP resource_metadata="https://a", Bearer scope="s""#).unwrap();
        assert_eq!(param(&chs, "scope").map(|p| p.value.as_str()), Some("s"));
        assert_eq!(
            param(&chs, "resource_metadata").map(|p| p.value.as_str()),
            Some("https://a")
        );
    }
}
