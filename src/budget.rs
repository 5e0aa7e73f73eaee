//! The input budget: how much YAML gen reads before it refuses an input.
//!
//! One budget for everything gen parses as YAML (a spec, a `--profile` file, every stream
//! `gen lint` reads), checked on the parser's events before anything is built: an alias bomb,
//! a node storm or a nesting tower costs one scan of its text, never its expansion. Each limit
//! has its own flag (the message past one names it); the defaults hold any real manifest and
//! keep `gen lint` well under 256 MiB on any input under the size limit.

use serde_saphyr::granit_parser::{Event, Marker, Options, Parser};

/// Limits on one YAML input (a file or stdin), all of its documents together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Bytes of scalar text (keys and values) once every alias is expanded.
    pub max_expanded_bytes: u64,
    /// Nodes (scalars, sequences, mappings) once every alias is expanded.
    pub max_nodes: u64,
    /// Alias references (`*name`).
    pub max_aliases: u64,
    /// Nesting of sequences and mappings.
    pub max_depth: usize,
    /// Documents in the stream.
    pub max_documents: u64,
}

/// The defaults: twice the input size limit of text; a million nodes (two thousand rendered
/// bundles in one stream; a ConfigMap of that many entries lints within 256 MiB of address
/// space), ten thousand aliases (kustomize and helm output has none), nesting deeper than any
/// CRD schema, and more documents than four thousand rendered bundles hold.
pub const DEFAULT: Budget = Budget {
    max_expanded_bytes: 2 * crate::source::DEFAULT_MAX_BYTES,
    max_nodes: 1_000_000,
    max_aliases: 10_000,
    max_depth: 128,
    max_documents: 50_000,
};

impl Default for Budget {
    fn default() -> Budget {
        DEFAULT
    }
}

/// An input past its budget: where the limit was crossed and which one (with its flag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// 1-based line and column in the input.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Breach {
    fn at(m: &Marker, what: &str, limit: u64, flag: &str) -> Breach {
        Breach {
            line: m.line().max(1),
            column: m.col() + 1,
            message: format!("more than {limit} {what} (the input budget; raise it with {flag})"),
        }
    }
}

/// What a node weighs once its aliases are expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Weight {
    pub bytes: u64,
    pub nodes: u64,
}

impl Weight {
    fn add(&mut self, w: Weight) {
        self.bytes = self.bytes.saturating_add(w.bytes);
        self.nodes = self.nodes.saturating_add(w.nodes);
    }
}

/// Running totals of one input against its budget.
struct Meter<'a> {
    budget: &'a Budget,
    total: Weight,
    aliases: u64,
    documents: u64,
}

impl Meter<'_> {
    fn spend(&mut self, w: Weight, at: &Marker) -> Result<(), Breach> {
        self.total.add(w);
        if self.total.bytes > self.budget.max_expanded_bytes {
            return Err(Breach::at(
                at,
                "bytes of text once aliases are expanded",
                self.budget.max_expanded_bytes,
                "--max-expanded-bytes",
            ));
        }
        if self.total.nodes > self.budget.max_nodes {
            return Err(Breach::at(
                at,
                "YAML nodes once aliases are expanded",
                self.budget.max_nodes,
                "--max-nodes",
            ));
        }
        Ok(())
    }
}

/// An open collection: its anchor and what its content weighs so far.
struct Open {
    anchor: usize,
    weight: Weight,
}

/// Whether `text` is within `budget` on every count but nesting, judged from its bytes
/// alone, without parsing: `false` means "parse it with [`check`]", not "over budget".
///
/// It holds when no alias can occur (no `*` where a node may start), so nothing expands, and
/// the text is too short to reach the other limits: a scalar's value is at most 1.5 times
/// its text (the escapes `\L` and `\P` are two bytes for three), a YAML node takes at least
/// two thirds of a byte (`[:,:]`, an empty key and value per `:,`, is the densest), and a
/// document needs a line starting `---` or `...` after the first. Nesting is left to the
/// reader that builds the documents: it stops at the same depth ([`crate::lint`] does, and
/// then weighs the input with [`check`] for the exact breach). `gen lint` reads most files
/// this way: the full check is a second pass of the YAML parser, as costly as the reading.
pub fn within_unparsed(text: &str, budget: &Budget) -> bool {
    let len = text.len() as u64;
    len.saturating_mul(3) / 2 <= budget.max_expanded_bytes
        && len.saturating_mul(3) / 2 < budget.max_nodes
        && documents_at_most(text) <= budget.max_documents
        && !may_hold_alias(text)
}

/// An upper bound on the documents in `text`: one, and one more per line that starts with a
/// document marker (some may sit inside a block scalar; that only raises the bound).
fn documents_at_most(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let starts = std::iter::once(0).chain(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, b'\n' | b'\r'))
            .map(|(i, _)| i + 1),
    );
    let markers = starts
        .filter(|&i| {
            let rest = &bytes[i.min(bytes.len())..];
            rest.starts_with(b"---") || rest.starts_with(b"...")
        })
        .count() as u64;
    1 + markers
}

/// Whether `text` has a `*` where an alias could be: at the start, after a blank or a line
/// break, or after a flow indicator (`[`, `{`, `,`, and `:` after a JSON-like key). Inside
/// quotes such a `*` is text, not an alias; counting it only sends the input to [`check`].
fn may_hold_alias(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'*'
            && (i == 0
                || matches!(
                    bytes[i - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':'
                ))
    })
}

/// Checks `text` (a stream of any number of documents) against `budget`. Syntax errors are
/// not this check's business: the document holding one is skipped here and reported by the
/// reader that builds it.
pub fn check(text: &str, budget: &Budget) -> Result<(), Breach> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut meter = Meter {
        budget,
        total: Weight::default(),
        aliases: 0,
        documents: 0,
    };
    let mut open: Vec<Open> = Vec::new();
    let mut anchors: Vec<(usize, Weight)> = Vec::new();
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(e) => e,
            Err(_) => {
                open.clear();
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    _ => break,
                }
            }
        };
        let at = span.start;
        let (weight, anchor) = match event {
            Event::DocumentStart(..) => {
                meter.documents += 1;
                if meter.documents > budget.max_documents {
                    return Err(Breach::at(
                        &at,
                        "documents",
                        budget.max_documents,
                        "--max-documents",
                    ));
                }
                anchors.clear();
                continue;
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if open.len() >= budget.max_depth {
                    return Err(Breach::at(
                        &at,
                        "levels of nesting",
                        budget.max_depth as u64,
                        "--max-depth",
                    ));
                }
                let weight = Weight { bytes: 0, nodes: 1 };
                meter.spend(weight, &at)?;
                open.push(Open { anchor, weight });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                // Its nodes were spent as they came; only its parent learns its weight.
                Some(o) => {
                    if let Some(parent) = open.last_mut() {
                        parent.weight.add(o.weight);
                    }
                    if o.anchor > 0 {
                        anchors.push((o.anchor, o.weight));
                    }
                    continue;
                }
                None => continue,
            },
            Event::Scalar(value, _, anchor, _) => {
                let weight = Weight {
                    bytes: value.len() as u64,
                    nodes: 1,
                };
                (weight, anchor)
            }
            Event::Alias(id) => {
                meter.aliases += 1;
                if meter.aliases > budget.max_aliases {
                    return Err(Breach::at(
                        &at,
                        "aliases",
                        budget.max_aliases,
                        "--max-aliases",
                    ));
                }
                let weight = anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map_or(Weight::default(), |(_, w)| *w);
                (weight, 0)
            }
            _ => continue,
        };
        meter.spend(weight, &at)?;
        if let Some(parent) = open.last_mut() {
            parent.weight.add(weight);
        }
        if anchor > 0 {
            anchors.push((anchor, weight));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Budget {
        Budget {
            max_expanded_bytes: 1000,
            max_nodes: 100,
            max_aliases: 5,
            max_depth: 4,
            max_documents: 3,
        }
    }

    #[test]
    fn each_limit_is_named_with_its_flag() {
        let b = small();
        let big = format!("a: &x {}\nb: *x\n", "y".repeat(600));
        let e = check(&big, &b).unwrap_err();
        assert!(e.message.contains("--max-expanded-bytes"), "{e:?}");
        assert_eq!((e.line, e.column), (2, 4));
        let many: String = (0..60).map(|i| format!("k{i}: v\n")).collect();
        assert!(
            check(&many, &b)
                .unwrap_err()
                .message
                .contains("--max-nodes")
        );
        let aliases = "a: &x 1\nb: [*x, *x, *x, *x, *x, *x]\n";
        assert!(
            check(aliases, &b)
                .unwrap_err()
                .message
                .contains("--max-aliases")
        );
        assert!(
            check("[[[[[1]]]]]", &b)
                .unwrap_err()
                .message
                .contains("--max-depth")
        );
        assert!(
            check("a\n---\nb\n---\nc\n---\nd\n", &b)
                .unwrap_err()
                .message
                .contains("--max-documents")
        );
        assert_eq!(check("a: [[[1]]]\n---\nb\n---\nc\n", &b), Ok(()));
    }

    #[test]
    fn nested_aliases_weigh_their_expansion() {
        // Each level doubles: 2^12 scalars of 10 bytes from a few hundred bytes of text.
        let mut text = String::from("a0: &a0 [xxxxxxxxxx, xxxxxxxxxx]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}]\n"));
        }
        let b = Budget {
            max_expanded_bytes: 40_000,
            ..DEFAULT
        };
        let e = check(&text, &b).unwrap_err();
        assert!(e.message.contains("more than 40000 bytes"), "{e:?}");
        assert_eq!(check(&text, &DEFAULT), Ok(()));
    }

    /// Dense and tricky inputs: whenever the byte-level judgement says "within", the parser's
    /// full weighing must agree, on budgets as tight as the text allows.
    #[test]
    fn within_unparsed_never_passes_what_check_refuses() {
        let dense = [
            "[:,:,:,:,:,:,:,:,:,:,:,:,:,:,:,:]",
            "{:,:,:,:,:,:,:,:,:,:,:,:}",
            "[a,b,c,d,e,f,g,h,i,j,k,l,m,n,o]",
            "-\n-\n-\n-\n-\n-\n-\n",
            "?\n?\n?\n?\n?\n",
            "- - - - - - - - - - x\n",
            "[[],[],[],[],[],[],[]]",
            "a:\nb:\nc:\nd:\ne:\n",
            "\"\\L\\L\\L\\L\\P\\P\\P\\P\"",
            "---\n---\n---\n...\n---\n",
            "--- a\n--- b\n--- c\n",
            "a\r---\rb\r---\rc\r",
            "{? a, ? b, ? c, ? d}",
            "k: [1, 2, 3]\nl: {a: 1, b: 2}\n",
        ];
        for text in dense {
            for nodes in 1..80 {
                for bytes in [1, 4, 8, 16, 32, 64, 1000] {
                    for documents in 1..8 {
                        let b = Budget {
                            max_expanded_bytes: bytes,
                            max_nodes: nodes,
                            max_aliases: 0,
                            max_depth: 128,
                            max_documents: documents,
                        };
                        if within_unparsed(text, &b) {
                            assert_eq!(check(text, &b), Ok(()), "{text:?} under {b:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn within_unparsed_leaves_anything_alias_like_to_the_parser() {
        for text in [
            "a: &x 1\nb: *x\n",
            "[*x]",
            "{a: 1,*x : 2}",
            "*x",
            "{\"a\":*x}",
        ] {
            assert!(!within_unparsed(text, &DEFAULT), "{text:?}");
        }
        // `"*"` and `x*y` cannot be aliases; ` *` after a blank might be (inside quotes it is
        // text, but the bytes alone do not tell).
        assert!(within_unparsed("a: \"*\"\nb: x*y\n", &DEFAULT));
        assert!(!within_unparsed("cron: \"5 * * * *\"\n", &DEFAULT));
        assert!(!within_unparsed(
            "a\n---\nb\n",
            &Budget {
                max_documents: 1,
                ..DEFAULT
            }
        ));
        assert!(within_unparsed(
            "a\n---\nb\n",
            &Budget {
                max_documents: 2,
                ..DEFAULT
            }
        ));
    }

    #[test]
    fn a_broken_document_does_not_hide_the_next_one() {
        let b = small();
        let text = format!("a: [1, 2\n---\nb: &x {}\nc: *x\n", "y".repeat(600));
        let e = check(&text, &b).unwrap_err();
        assert!(e.message.contains("--max-expanded-bytes"), "{e:?}");
        assert_eq!(e.line, 4);
    }
}
