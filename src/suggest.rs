//! "Did you mean …?": the closest known name to a misspelt one.

/// The candidate closest to `word` by optimal-string-alignment (Damerau–Levenshtein) distance,
/// when that distance is at most `max(1, chars(word) / 3)` and the candidate is not `word`
/// itself. Ties go to the first candidate.
///
/// Case counts half: changing only the case of a char costs 0.5, so `seedcount` finds
/// `seedCount` (0.5) ahead of any one-letter typo (1), and an exact match (0) wins over a
/// case variant — which then means nothing is suggested.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word: Vec<char> = word.chars().collect();
    if word.is_empty() {
        return None;
    }
    // Distances are counted in half steps.
    let limit = 2 * (word.len() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let cand: Vec<char> = candidate.chars().collect();
        if 2 * word.len().abs_diff(cand.len()) > limit {
            continue;
        }
        let d = half_distance(&word, &cand);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.filter(|&(d, _)| d > 0).map(|(_, c)| c)
}

/// Edits, in half steps, that turn `a` into `b` (see [`half_distance`]): the one edit distance
/// gen uses, for "did you mean" on spec keys and for near-miss kinds in lint.
pub fn edit_halves(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    half_distance(&a, &b)
}

/// Cost, in half steps, of turning `a` into `b` with char case-only substitutions at 1 and
/// insertions, deletions, substitutions and adjacent transpositions at 2.
fn half_distance(a: &[char], b: &[char]) -> usize {
    let cols = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * cols];
    let at = |i: usize, j: usize| i * cols + j;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            rows[at(i, j)] = match (i, j) {
                (0, j) => 2 * j,
                (i, 0) => 2 * i,
                (i, j) => {
                    let step = (rows[at(i - 1, j)] + 2)
                        .min(rows[at(i, j - 1)] + 2)
                        .min(rows[at(i - 1, j - 1)] + substitution(a[i - 1], b[j - 1]));
                    let swapped = i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1];
                    match swapped {
                        true => step.min(rows[at(i - 2, j - 2)] + 2),
                        false => step,
                    }
                }
            };
        }
    }
    rows[at(a.len(), b.len())]
}

fn substitution(x: char, y: char) -> usize {
    if x == y {
        0
    } else if x.to_lowercase().eq(y.to_lowercase()) {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 6] = [
        "name",
        "replicas",
        "seedCount",
        "platform",
        "autoscale",
        "openshift",
    ];

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("replica", KEYS), Some("replicas"));
        assert_eq!(did_you_mean("openshfit", KEYS), Some("openshift"));
        assert_eq!(did_you_mean("seedcount", KEYS), Some("seedCount"));
        assert_eq!(did_you_mean("nmae", KEYS), Some("name"));
        assert_eq!(did_you_mean("SEEDCOUNT", KEYS), None);
    }

    #[test]
    fn refuses_far_or_equal_names() {
        assert_eq!(did_you_mean("zzz", KEYS), None);
        assert_eq!(
            did_you_mean("zzz", ["zz", "zzzz"].into_iter().chain(KEYS)),
            Some("zz")
        );
        assert_eq!(did_you_mean("name", KEYS), None);
        assert_eq!(did_you_mean("", ["a"]), None);
        assert_eq!(did_you_mean("replicas", []), None);
        // 9 chars allow a distance of 3, not 4.
        assert_eq!(did_you_mean("autoxxxle", KEYS), Some("autoscale"));
        assert_eq!(did_you_mean("auxxxxale", KEYS), None);
    }

    #[test]
    fn ties_go_to_the_first_candidate() {
        assert_eq!(did_you_mean("cat", ["bat", "hat"]), Some("bat"));
        assert_eq!(did_you_mean("cat", ["hat", "bat"]), Some("hat"));
    }

    #[test]
    fn an_exact_match_beats_a_case_variant() {
        assert_eq!(did_you_mean("seedCount", ["seedcount", "seedCount"]), None);
        assert_eq!(did_you_mean("Replicas", KEYS), Some("replicas"));
    }

    #[test]
    fn edit_halves_counts_case_as_half() {
        assert_eq!(edit_halves("kitten", "sitting"), 6);
        assert_eq!(edit_halves("", "abc"), 6);
        assert_eq!(edit_halves("Pod", "pod"), 1);
    }

    #[test]
    fn distances() {
        let d = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            half_distance(&a, &b)
        };
        assert_eq!(d("openshfit", "openshift"), 2);
        assert_eq!(d("seedcount", "seedCount"), 1);
        assert_eq!(d("kitten", "sitting"), 6);
        assert_eq!(d("", "abc"), 6);
        assert_eq!(d("é", "É"), 1);
    }
}
