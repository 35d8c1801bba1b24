//! A trace's CSV records, read straight from bytes: a reused buffer filled in large
//! chunks, each plain line split on commas in one pass, no allocation per row.
//!
//! The dialect is the one the `csv` crate reads with `flexible(true)` and
//! `comment(Some(b'#'))`, every field then trimmed of ASCII whitespace: fields may be
//! quoted (`"a,b"`, `""` for a quote, line breaks inside), records end at LF, CR or
//! CRLF, blank lines are skipped, and a `#` that starts a record makes the rest of its
//! line a comment. The one difference is deliberate: a record knows the line it
//! starts on (the `csv` crate reports the line after the previous record, which names
//! a comment or blank line above the row, or under CRLF endings the line above it).
//!
//! Lines without a quote or a stray CR (nearly all of a real trace) take a fast path;
//! the others go through a byte-at-a-time state machine that is the `csv` crate's.

use std::io::Read;

/// Bytes read from the file at a time.
const CHUNK: usize = 256 * 1024;

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadError {
    /// The line the record started on.
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// Records of a CSV text, one at a time; see the module docs.
pub(crate) struct Records<R> {
    reader: R,
    buf: Vec<u8>,
    /// Next unread byte of `buf`, and the end of its data.
    pos: usize,
    end: usize,
    eof: bool,
    failed: bool,
    /// Line of the byte at `pos` (1-based).
    at_line: usize,
    /// Line the current record starts on.
    record_line: usize,
    /// The current record's fields: byte ranges of `buf` (a plain line) or of `data`
    /// (a record that needed unquoting).
    fields: Vec<(usize, usize)>,
    in_data: bool,
    data: Vec<u8>,
}

/// The state machine's states (as `csv_core` names them).
#[derive(Clone, Copy, PartialEq)]
enum State {
    StartRecord,
    InComment,
    StartField,
    InField,
    InQuotedField,
    /// A quote inside a quoted field: a doubled quote or the field's end.
    InDoubleEscapedQuote,
}

impl<R: Read> Records<R> {
    pub(crate) fn new(reader: R) -> Self {
        Records {
            reader,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            eof: false,
            failed: false,
            at_line: 1,
            record_line: 0,
            fields: Vec::new(),
            in_data: false,
            data: Vec::new(),
        }
    }

    /// Records of `reader` whose first byte is on line `line`.
    pub(crate) fn starting_at(reader: R, line: usize) -> Self {
        let mut r = Records::new(reader);
        r.at_line = line;
        r
    }

    /// The next whole lines, at least `target` bytes of them unless the input ends
    /// first, with the line they start on, when they can be read apart from the rest:
    /// no quote among them (a quoted field may run on past them). `None` otherwise
    /// (or at the end); the bytes stay unread either way until
    /// [`Records::consume`].
    pub(crate) fn block(&mut self, target: usize) -> std::io::Result<Option<(&[u8], usize)>> {
        if self.failed {
            return Ok(None);
        }
        while self.end - self.pos < target && !self.eof {
            if let Err(e) = self.fill() {
                // Reported once, here: the records after it are not read.
                self.failed = true;
                return Err(e);
            }
        }
        let data = &self.buf[self.pos..self.end];
        let cut = if self.eof {
            data.len()
        } else {
            match memchr::memrchr(b'\n', data) {
                Some(i) => i + 1,
                None => return Ok(None),
            }
        };
        let block = &data[..cut];
        if block.is_empty() || memchr::memchr(b'"', block).is_some() {
            return Ok(None);
        }
        Ok(Some((block, self.at_line)))
    }

    /// Marks the `len` bytes [`Records::block`] gave as read.
    pub(crate) fn consume(&mut self, len: usize) {
        let len = len.min(self.end - self.pos);
        self.at_line += memchr::memchr_iter(b'\n', &self.buf[self.pos..self.pos + len]).count();
        self.pos += len;
    }

    /// The line the current record starts on.
    pub(crate) fn line(&self) -> usize {
        self.record_line
    }

    /// The number of fields of the current record.
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i` of the current record, trimmed of ASCII whitespace.
    pub(crate) fn field(&self, i: usize) -> Option<&[u8]> {
        let &(s, e) = self.fields.get(i)?;
        let bytes = if self.in_data {
            &self.data[s..e]
        } else {
            &self.buf[s..e]
        };
        Some(bytes.trim_ascii())
    }

    /// Moves the unread bytes to the front and reads more after them (growing the
    /// buffer when a line fills it); false at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let grown = self.buf.len() * 2;
            self.buf.resize(grown, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the next record; false at the end of the input.
    pub(crate) fn advance(&mut self) -> Result<bool, ReadError> {
        if self.failed {
            return Ok(false);
        }
        match self.next_record() {
            Ok(found) => Ok(found),
            Err(e) => {
                self.failed = true;
                Err(ReadError {
                    line: self.at_line,
                    message: e.to_string(),
                })
            }
        }
    }

    fn next_record(&mut self) -> std::io::Result<bool> {
        loop {
            // The fast path: a whole line in the buffer, without quotes or inner CRs.
            let start = self.pos;
            let mut i = start;
            let mut plain = true;
            let mut newline = None;
            self.fields.clear();
            let mut field_start = start;
            while i < self.end {
                match self.buf[i] {
                    b'\n' => {
                        newline = Some(i);
                        break;
                    }
                    b',' => {
                        self.fields.push((field_start, i));
                        field_start = i + 1;
                    }
                    b'"' | b'\r' => plain = false,
                    _ => {}
                }
                i += 1;
            }
            let line_end = match newline {
                Some(nl) => nl,
                None if self.eof => self.end,
                None => {
                    if !self.fill()? && self.pos == self.end {
                        return Ok(false);
                    }
                    continue;
                }
            };
            if start == line_end && newline.is_none() {
                return Ok(false); // the end of the input
            }
            let first = self.buf[start];
            // One CR before the LF (or the end) is part of the line ending.
            let mut content_end = line_end;
            if !plain && self.buf[line_end - 1] == b'\r' {
                content_end -= 1;
                plain = first != b'\r'
                    && !self.buf[start..content_end]
                        .iter()
                        .any(|b| matches!(b, b'"' | b'\r'));
            }
            if start == content_end || first == b'#' {
                // A blank line or a comment: skipped.
                self.pos = newline.map_or(line_end, |nl| nl + 1);
                self.at_line += usize::from(newline.is_some());
                continue;
            }
            if plain {
                self.fields.push((field_start, content_end));
                self.in_data = false;
                self.record_line = self.at_line;
                self.pos = newline.map_or(line_end, |nl| nl + 1);
                self.at_line += usize::from(newline.is_some());
                return Ok(true);
            }
            return self.quoted_record();
        }
    }

    /// The next byte, refilling the buffer as needed; `None` at the end.
    fn next_byte(&mut self) -> std::io::Result<Option<u8>> {
        if self.pos == self.end && !self.fill()? {
            return Ok(None);
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        if b == b'\n' {
            self.at_line += 1;
        }
        Ok(Some(b))
    }

    /// Puts back the byte [`Records::next_byte`] just gave.
    fn unread(&mut self, b: u8) {
        self.pos -= 1;
        if b == b'\n' {
            self.at_line -= 1;
        }
    }

    /// The next record by the `csv` crate's state machine, from a record start.
    fn quoted_record(&mut self) -> std::io::Result<bool> {
        use State::{
            InComment, InDoubleEscapedQuote, InField, InQuotedField, StartField, StartRecord,
        };
        self.data.clear();
        self.fields.clear();
        self.in_data = true;
        let mut state = StartRecord;
        let mut field_start = 0;
        loop {
            let line_before = self.at_line;
            let Some(b) = self.next_byte()? else {
                // The end of the input ends a record in progress.
                return Ok(match state {
                    StartRecord | InComment => false,
                    _ => {
                        self.fields.push((field_start, self.data.len()));
                        true
                    }
                });
            };
            let term = b == b'\n' || b == b'\r';
            state = match state {
                StartRecord if term => StartRecord,
                StartRecord if b == b'#' => InComment,
                InComment => {
                    if b == b'\n' {
                        StartRecord
                    } else {
                        InComment
                    }
                }
                StartRecord | StartField => {
                    if state == StartRecord {
                        self.record_line = line_before;
                    }
                    if b == b'"' {
                        InQuotedField
                    } else {
                        match self.unquoted(b, &mut field_start) {
                            Some(next) => next,
                            None => return self.end_record(field_start, b),
                        }
                    }
                }
                InField => match self.unquoted(b, &mut field_start) {
                    Some(next) => next,
                    None => return self.end_record(field_start, b),
                },
                InQuotedField => {
                    if b == b'"' {
                        InDoubleEscapedQuote
                    } else {
                        self.data.push(b);
                        InQuotedField
                    }
                }
                InDoubleEscapedQuote => {
                    if b == b'"' {
                        self.data.push(b);
                        InQuotedField
                    } else {
                        match self.unquoted(b, &mut field_start) {
                            Some(next) => next,
                            None => return self.end_record(field_start, b),
                        }
                    }
                }
            };
        }
    }

    /// Byte `b` outside quotes: a comma ends the field, a line end the record (`None`),
    /// anything else is the field's.
    fn unquoted(&mut self, b: u8, field_start: &mut usize) -> Option<State> {
        if b == b',' {
            self.fields.push((*field_start, self.data.len()));
            *field_start = self.data.len();
            Some(State::StartField)
        } else if b == b'\n' || b == b'\r' {
            None
        } else {
            self.data.push(b);
            Some(State::InField)
        }
    }

    /// Ends the current record at terminator `b`: a CR takes an LF right after it.
    fn end_record(&mut self, field_start: usize, b: u8) -> std::io::Result<bool> {
        self.fields.push((field_start, self.data.len()));
        if b == b'\r' {
            if let Some(next) = self.next_byte()? {
                if next != b'\n' {
                    self.unread(next);
                }
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record as (line, trimmed fields).
    fn read_all(text: &[u8], chunk_reads: usize) -> Vec<(usize, Vec<Vec<u8>>)> {
        let reader = Trickle {
            bytes: text,
            at: 0,
            step: chunk_reads,
        };
        let mut r = Records::new(reader);
        let mut out = Vec::new();
        while r.advance().expect("in memory") {
            let fields = (0..r.len())
                .map(|i| r.field(i).unwrap_or_default().to_vec())
                .collect();
            out.push((r.line(), fields));
        }
        out
    }

    /// A reader that gives at most `step` bytes a read, so records straddle refills.
    struct Trickle<'a> {
        bytes: &'a [u8],
        at: usize,
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len() - self.at);
            out[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// The `csv` crate's records of the same text, trimmed as the trace reader asked
    /// for them before.
    fn csv_crate(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(text);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).expect("in memory") {
            out.push(record.iter().map(|f| f.trim_ascii().to_vec()).collect());
        }
        out
    }

    fn fields(records: &[(usize, Vec<Vec<u8>>)]) -> Vec<Vec<Vec<u8>>> {
        records.iter().map(|(_, f)| f.clone()).collect()
    }

    fn lines(records: &[(usize, Vec<Vec<u8>>)]) -> Vec<usize> {
        records.iter().map(|(l, _)| *l).collect()
    }

    #[test]
    fn plain_lines_split_on_commas_and_know_their_lines() {
        let text = b"# exported\narrival_s, duration_s\n\n0,1\r\n 2 ,3,\n# end\n4,5";
        let got = read_all(text, 7);
        assert_eq!(lines(&got), vec![2, 4, 5, 7]);
        assert_eq!(got[2].1, vec![b"2".to_vec(), b"3".to_vec(), Vec::new()]);
        assert_eq!(fields(&got), csv_crate(text));
    }

    #[test]
    fn quoted_fields_unquote_and_may_span_lines() {
        let text = b"a,b\n\"x,\"\"y\"\"\",\"two\nlines\"\n5,6\r7,8\n";
        let got = read_all(text, 3);
        assert_eq!(lines(&got), vec![1, 2, 4, 4]);
        assert_eq!(got[1].1, vec![b"x,\"y\"".to_vec(), b"two\nlines".to_vec()]);
        assert_eq!(fields(&got), csv_crate(text));
    }

    #[test]
    fn a_comment_at_the_very_end_is_a_comment() {
        for text in [&b"0\n#"[..], b"0\n# end", b"0\r\n#\r"] {
            assert_eq!(lines(&read_all(text, 5)), vec![1]);
        }
    }

    #[test]
    fn blank_lines_of_any_ending_are_skipped() {
        let text = b"\r\n\r\r\n\n1\r\r2\n";
        let got = read_all(text, 2);
        assert_eq!(lines(&got), vec![4, 4]);
        assert_eq!(fields(&got), csv_crate(text));
    }

    #[test]
    fn a_line_longer_than_the_buffer_is_read_whole() {
        let long = "9".repeat(CHUNK * 3);
        let text = format!("a\n{long},1\n2,3\n");
        let got = read_all(text.as_bytes(), CHUNK);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].1[0].len(), CHUNK * 3);
        assert_eq!(lines(&got), vec![1, 2, 3]);
    }

    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn an_io_error_is_reported_once() {
        let mut r = Records::new(Broken);
        let e = r.advance().expect_err("the read fails");
        assert_eq!(e.message, "disk on fire");
        assert_eq!(r.advance(), Ok(false));
        // Also when the error meets a block read first.
        let mut r = Records::new(Broken);
        assert!(r.block(16).is_err());
        assert_eq!(r.advance(), Ok(false));
        assert!(matches!(r.block(16), Ok(None)));
    }

    /// Text from the bytes that matter to CSV, and a few that do not.
    fn csv_text() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            6 => prop::sample::select(b"0123456789.".to_vec()),
            3 => Just(b','),
            2 => Just(b'\n'),
            1 => Just(b'\r'),
            1 => Just(b'"'),
            1 => Just(b'#'),
            1 => Just(b' '),
            1 => Just(b'\t'),
            1 => prop::sample::select(b"abc".to_vec()),
        ];
        prop::collection::vec(byte, 0..200)
    }

    proptest! {
        /// The records and their fields are the `csv` crate's, whatever the text and
        /// however the reads split it. (The text ends in a line break: the crate reads
        /// a comment at the very end without one as an empty record, which this reader
        /// does not; see `a_comment_at_the_very_end_is_a_comment`.)
        #[test]
        fn reads_what_the_csv_crate_reads(mut text in csv_text(), step in 1usize..50) {
            text.push(b'\n');
            let got = read_all(&text, step);
            prop_assert_eq!(fields(&got), csv_crate(&text));
        }

        /// Each record's line is the line of its first byte: the count of LFs before
        /// it, plus one. Checked on texts without quotes, where a record's first byte
        /// is found by the rules alone (after blank lines, comments and line ends).
        #[test]
        fn each_record_starts_on_its_own_line(text in csv_text(), step in 1usize..50) {
            let text: Vec<u8> = text.into_iter().filter(|b| *b != b'"').collect();
            let got = read_all(&text, step);
            let mut starts = Vec::new();
            let mut line = 1;
            let mut at_start = true;
            let mut in_comment = false;
            for &b in &text {
                if in_comment {
                    if b == b'\n' {
                        in_comment = false;
                        line += 1;
                    }
                    continue;
                }
                if at_start {
                    match b {
                        b'\n' => line += 1,
                        b'\r' => {}
                        b'#' => in_comment = true,
                        _ => {
                            starts.push(line);
                            at_start = false;
                        }
                    }
                    continue;
                }
                // Inside a record: a line end ends it.
                if b == b'\n' {
                    line += 1;
                    at_start = true;
                } else if b == b'\r' {
                    at_start = true;
                }
            }
            prop_assert_eq!(lines(&got), starts);
        }
    }
}
