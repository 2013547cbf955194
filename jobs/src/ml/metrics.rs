//! Exact evaluation metrics of a binary classifier, computed from score counts.
//!
//! The cluster evaluates a model by grouping the test split by predicted probability, so the
//! client receives one [`ScoreCount`] per distinct score instead of millions of rows. Everything
//! here is computed exactly from those groups (no binning): the ROC AUC by the Mann–Whitney U
//! statistic with ties counted as one half, the confusion matrix at a threshold, the log loss
//! weighted by counts, and the ROC curve with one point per distinct score.

use serde::Serialize;

/// Probabilities are clamped to `[LOG_LOSS_EPSILON, 1 − LOG_LOSS_EPSILON]` in the log loss
/// (scikit-learn's convention), so a confident mistake costs about 34.5 instead of infinity.
const LOG_LOSS_EPSILON: f64 = 1e-15;

/// The rows of the evaluated split that share one predicted probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreCount {
    /// The predicted probability of class 1, in `[0, 1]`.
    pub score: f64,
    /// Rows with this score and label 1.
    pub positives: u64,
    /// Rows with this score and label 0.
    pub negatives: u64,
}

/// The confusion matrix of hard predictions against the known labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Confusion {
    /// Label 1, predicted 1.
    pub true_positives: u64,
    /// Label 0, predicted 1.
    pub false_positives: u64,
    /// Label 0, predicted 0.
    pub true_negatives: u64,
    /// Label 1, predicted 0.
    pub false_negatives: u64,
}

impl Confusion {
    /// The confusion matrix of `y_pred` (predictions) against `y_true` (known labels), for tests
    /// and small data. Any non-zero value is class 1. The argument order is the scikit-learn one
    /// and matters: swapping the slices swaps false positives and false negatives, and with them
    /// precision and recall. Rows beyond the shorter slice are ignored.
    pub fn from_predictions(y_true: &[u8], y_pred: &[u8]) -> Self {
        let mut confusion = Confusion::default();
        for (&truth, &prediction) in y_true.iter().zip(y_pred) {
            let cell = match (truth != 0, prediction != 0) {
                (true, true) => &mut confusion.true_positives,
                (false, true) => &mut confusion.false_positives,
                (false, false) => &mut confusion.true_negatives,
                (true, false) => &mut confusion.false_negatives,
            };
            *cell = cell.saturating_add(1);
        }
        confusion
    }

    /// The fraction of rows predicted correctly (0 when there are none).
    pub fn accuracy(&self) -> f64 {
        let correct = u128::from(self.true_positives) + u128::from(self.true_negatives);
        let rows = correct + u128::from(self.false_positives) + u128::from(self.false_negatives);
        ratio(correct, rows)
    }

    /// Precision, recall, F1 and support of class 1 (`positive_class`) or class 0, as in
    /// scikit-learn's classification report; a 0/0 ratio is 0 (`zero_division=0`).
    pub fn class(&self, positive_class: bool) -> ClassMetrics {
        // Seen from class 0, its true positives are the true negatives, and so on.
        let (hits, false_alarms, misses) = if positive_class {
            (self.true_positives, self.false_positives, self.false_negatives)
        } else {
            (self.true_negatives, self.false_negatives, self.false_positives)
        };
        let (hits, false_alarms, misses) = (u128::from(hits), u128::from(false_alarms), u128::from(misses));
        ClassMetrics {
            precision: ratio(hits, hits + false_alarms),
            recall: ratio(hits, hits + misses),
            // 2PR / (P + R) written in counts: equal where defined, and 0 where P + R = 0.
            f1: ratio(2 * hits, 2 * hits + false_alarms + misses),
            support: u64::try_from(hits + misses).unwrap_or(u64::MAX),
        }
    }
}

/// The per-class figures of a classification report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Of the rows predicted as the class, the fraction that are of it.
    pub precision: f64,
    /// Of the rows of the class, the fraction predicted as it.
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
    /// Rows of the class.
    pub support: u64,
}

/// One point of the ROC curve: the rates when predicting 1 for scores `>= threshold`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocPoint {
    /// The score threshold; +∞ for the first point (nothing predicted 1), which serde_json
    /// writes as `null`.
    pub threshold: f64,
    /// Negatives predicted 1, as a fraction of the negatives.
    pub false_positive_rate: f64,
    /// Positives predicted 1, as a fraction of the positives.
    pub true_positive_rate: f64,
}

/// Everything the evaluation job reports about a binary classifier on a split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryMetrics {
    /// Rows evaluated.
    pub rows: u64,
    /// Rows with label 1.
    pub positives: u64,
    /// Rows with label 0.
    pub negatives: u64,
    /// Area under the ROC curve, ties counted as one half.
    pub auc: f64,
    /// Accuracy at the threshold.
    pub accuracy: f64,
    /// Mean cross-entropy, probabilities clamped to `[1e-15, 1 − 1e-15]`.
    pub log_loss: f64,
    /// The confusion matrix at the threshold.
    pub confusion: Confusion,
    /// Precision, recall, F1 and support of class 1 at the threshold.
    pub positive: ClassMetrics,
    /// Precision, recall, F1 and support of class 0 at the threshold.
    pub negative: ClassMetrics,
    /// The ROC curve, thresholds descending from +∞, downsampled to the requested size.
    pub roc: Vec<RocPoint>,
}

/// Why metrics cannot be computed from the given counts.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// There are no rows (no groups, or only empty ones).
    #[error("no rows to evaluate")]
    Empty,
    /// All rows have the same label, so the AUC and one class's metrics are undefined.
    #[error(
        "only one class among the {rows} evaluated rows ({positives} with label 1): the AUC and the per-class metrics need both labels"
    )]
    OneClass {
        /// Rows evaluated.
        rows: u64,
        /// Rows with label 1 (0 or `rows`).
        positives: u64,
    },
    /// A score is NaN or outside `[0, 1]`.
    #[error("score {score} is not a probability")]
    NotProbability {
        /// The offending score.
        score: f64,
    },
}

/// All the metrics of [`BinaryMetrics`] from `counts` (any order, scores may repeat),
/// predicting 1 for scores `>= threshold` (usually 0.5; a NaN threshold predicts 0 everywhere)
/// and keeping at most `max_roc_points` (at least 2) points of the ROC curve.
pub fn binary_metrics(
    counts: &[ScoreCount],
    threshold: f64,
    max_roc_points: usize,
) -> Result<BinaryMetrics, MetricsError> {
    let groups = Groups::new(counts)?;
    let confusion = groups.confusion(threshold);
    let accuracy = confusion.accuracy();
    let positive = confusion.class(true);
    let negative = confusion.class(false);
    Ok(BinaryMetrics {
        rows: groups.rows(),
        positives: groups.positives,
        negatives: groups.negatives,
        auc: groups.auc(),
        accuracy,
        log_loss: groups.log_loss(),
        confusion,
        positive,
        negative,
        roc: downsample(groups.roc_curve(), max_roc_points),
    })
}

/// The exact ROC AUC of `counts` (any order, scores may repeat): the probability that a random
/// positive scores above a random negative, ties counting one half (Mann–Whitney U / (P·N)).
pub fn roc_auc(counts: &[ScoreCount]) -> Result<f64, MetricsError> {
    Ok(Groups::new(counts)?.auc())
}

/// Validated groups, one per distinct score, ascending, with both classes present.
struct Groups {
    ascending: Vec<ScoreCount>,
    positives: u64,
    negatives: u64,
}

impl Groups {
    /// Validates, sorts and merges `counts`; empty groups are dropped.
    fn new(counts: &[ScoreCount]) -> Result<Self, MetricsError> {
        let mut sorted = Vec::with_capacity(counts.len());
        for count in counts {
            if !(0.0..=1.0).contains(&count.score) {
                return Err(MetricsError::NotProbability { score: count.score });
            }
            if count.positives > 0 || count.negatives > 0 {
                // Adding +0.0 turns a −0.0 score into +0.0, so that it prints as 0.
                sorted.push(ScoreCount { score: count.score + 0.0, ..*count });
            }
        }
        sorted.sort_unstable_by(|a, b| a.score.total_cmp(&b.score));
        let mut ascending: Vec<ScoreCount> = Vec::with_capacity(sorted.len());
        let (mut positives, mut negatives) = (0_u64, 0_u64);
        for count in sorted {
            positives = positives.saturating_add(count.positives);
            negatives = negatives.saturating_add(count.negatives);
            match ascending.last_mut() {
                Some(last) if last.score == count.score => {
                    last.positives = last.positives.saturating_add(count.positives);
                    last.negatives = last.negatives.saturating_add(count.negatives);
                }
                _ => ascending.push(count),
            }
        }
        let rows = positives.saturating_add(negatives);
        if rows == 0 {
            return Err(MetricsError::Empty);
        }
        if positives == 0 || negatives == 0 {
            return Err(MetricsError::OneClass { rows, positives });
        }
        Ok(Self { ascending, positives, negatives })
    }

    /// Rows evaluated.
    fn rows(&self) -> u64 {
        self.positives.saturating_add(self.negatives)
    }

    /// The Mann–Whitney AUC. Twice U is an integer (each tied pair counts 1 instead of ½) and is
    /// summed exactly in `u128`, so the only rounding is the final division.
    fn auc(&self) -> f64 {
        let mut negatives_below: u128 = 0;
        let mut twice_u: u128 = 0;
        for group in &self.ascending {
            let negatives = u128::from(group.negatives);
            let pairs = u128::from(group.positives).saturating_mul(2 * negatives_below + negatives);
            twice_u = twice_u.saturating_add(pairs);
            negatives_below += negatives;
        }
        let pairs = u128::from(self.positives) * u128::from(self.negatives);
        twice_u as f64 / (2.0 * pairs as f64)
    }

    /// The confusion matrix when predicting 1 for scores `>= threshold`.
    fn confusion(&self, threshold: f64) -> Confusion {
        let mut confusion = Confusion::default();
        for group in &self.ascending {
            if group.score >= threshold {
                confusion.true_positives = confusion.true_positives.saturating_add(group.positives);
                confusion.false_positives = confusion.false_positives.saturating_add(group.negatives);
            } else {
                confusion.false_negatives = confusion.false_negatives.saturating_add(group.positives);
                confusion.true_negatives = confusion.true_negatives.saturating_add(group.negatives);
            }
        }
        confusion
    }

    /// The mean clamped cross-entropy, summed with compensation so that millions of groups do
    /// not accumulate rounding error.
    fn log_loss(&self) -> f64 {
        let mut sum = CompensatedSum::default();
        for group in &self.ascending {
            let p = group.score.clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON);
            if group.positives > 0 {
                sum.add(group.positives as f64 * -p.ln());
            }
            if group.negatives > 0 {
                sum.add(group.negatives as f64 * -(1.0 - p).ln());
            }
        }
        sum.value() / self.rows() as f64
    }

    /// The full ROC curve: (0, 0) at threshold +∞, then one point per distinct score in
    /// descending order, ending at (1, 1).
    fn roc_curve(&self) -> Vec<RocPoint> {
        let (positives, negatives) = (self.positives as f64, self.negatives as f64);
        let mut curve = Vec::with_capacity(self.ascending.len() + 1);
        curve.push(RocPoint { threshold: f64::INFINITY, false_positive_rate: 0.0, true_positive_rate: 0.0 });
        let (mut true_positives, mut false_positives) = (0_u64, 0_u64);
        for group in self.ascending.iter().rev() {
            true_positives = true_positives.saturating_add(group.positives);
            false_positives = false_positives.saturating_add(group.negatives);
            curve.push(RocPoint {
                threshold: group.score,
                false_positive_rate: false_positives as f64 / negatives,
                true_positive_rate: true_positives as f64 / positives,
            });
        }
        curve
    }
}

/// At most `max_points` (at least 2) points of `curve`: the first, the last and evenly spaced
/// ones (by index) in between, so a plot keeps the curve's ends and shape.
fn downsample(curve: Vec<RocPoint>, max_points: usize) -> Vec<RocPoint> {
    let keep = max_points.max(2);
    if curve.len() <= keep {
        return curve;
    }
    // Here `last >= keep > intervals`, so the rounded indices strictly increase from 0 to `last`.
    let last = (curve.len() - 1) as u128;
    let intervals = (keep - 1) as u128;
    (0..keep as u128)
        .filter_map(|k| {
            let index = (k * last + intervals / 2) / intervals;
            usize::try_from(index).ok().and_then(|index| curve.get(index)).cloned()
        })
        .collect()
}

/// `numerator / denominator`, 0 when the denominator is 0.
fn ratio(numerator: u128, denominator: u128) -> f64 {
    if denominator == 0 { 0.0 } else { numerator as f64 / denominator as f64 }
}

/// Neumaier's compensated summation.
#[derive(Default)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    /// Adds `value`, keeping the rounding error of the addition in the compensation.
    fn add(&mut self, value: f64) {
        let total = self.sum + value;
        if self.sum.abs() >= value.abs() {
            self.compensation += (self.sum - total) + value;
        } else {
            self.compensation += (value - total) + self.sum;
        }
        self.sum = total;
    }

    /// The compensated total.
    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One group per row, as unmerged input.
    fn rows(scores: &[f64], labels: &[u8]) -> Vec<ScoreCount> {
        scores
            .iter()
            .zip(labels)
            .map(|(&score, &label)| ScoreCount {
                score,
                positives: u64::from(label == 1),
                negatives: u64::from(label == 0),
            })
            .collect()
    }

    fn group(score: f64, positives: u64, negatives: u64) -> ScoreCount {
        ScoreCount { score, positives, negatives }
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() <= 1e-12, "{actual} != {expected}");
    }

    #[test]
    fn auc_of_a_hand_example() {
        // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered.
        assert_close(roc_auc(&rows(&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1])).unwrap(), 0.75);
    }

    #[test]
    fn auc_counts_ties_as_one_half() {
        // Pairs: 0.5 vs 0.2 → 1, 0.5 vs 0.5 → ½, 0.7 vs both → 2; 3.5 of 4.
        assert_close(roc_auc(&rows(&[0.2, 0.5, 0.5, 0.7], &[0, 1, 0, 1])).unwrap(), 0.875);
        assert_close(roc_auc(&rows(&[0.5; 4], &[0, 1, 0, 1])).unwrap(), 0.5);
        assert_close(roc_auc(&[group(0.3, 7, 11)]).unwrap(), 0.5);
    }

    #[test]
    fn auc_of_perfect_and_inverted_rankings() {
        assert_close(roc_auc(&rows(&[0.1, 0.2, 0.8, 0.9], &[0, 0, 1, 1])).unwrap(), 1.0);
        assert_close(roc_auc(&rows(&[0.1, 0.2, 0.8, 0.9], &[1, 1, 0, 0])).unwrap(), 0.0);
    }

    #[test]
    fn input_order_does_not_matter() {
        let counts = vec![group(0.9, 3, 1), group(0.1, 1, 4), group(0.5, 2, 2), group(0.7, 0, 1), group(0.3, 1, 0)];
        let mut reversed = counts.clone();
        reversed.reverse();
        let mut rotated = counts.clone();
        rotated.rotate_left(2);
        let expected = binary_metrics(&counts, 0.5, 100).unwrap();
        assert_eq!(binary_metrics(&reversed, 0.5, 100).unwrap(), expected);
        assert_eq!(binary_metrics(&rotated, 0.5, 100).unwrap(), expected);
    }

    #[test]
    fn groups_with_the_same_score_are_merged() {
        let split = [group(0.5, 1, 0), group(0.2, 0, 1), group(0.5, 0, 1), group(0.5, 2, 0), group(0.2, 0, 0)];
        let merged = [group(0.2, 0, 1), group(0.5, 3, 1)];
        let metrics = binary_metrics(&split, 0.5, 100).unwrap();
        assert_eq!(metrics, binary_metrics(&merged, 0.5, 100).unwrap());
        assert_eq!(metrics.roc.len(), 3);
        assert_eq!((metrics.rows, metrics.positives, metrics.negatives), (5, 3, 2));
        // 0.5's three positives beat 0.2's negative and tie 0.5's: (3 + 1.5) / 6.
        assert_close(metrics.auc, 0.75);
    }

    #[test]
    fn confusion_matrix_keeps_labels_and_predictions_apart() {
        let confusion = Confusion::from_predictions(&[1, 1, 1, 0, 0, 0, 0], &[1, 0, 1, 0, 0, 1, 0]);
        assert_eq!(
            confusion,
            Confusion { true_positives: 2, false_positives: 1, true_negatives: 3, false_negatives: 1 }
        );
        let positive = confusion.class(true);
        assert_close(positive.precision, 2.0 / 3.0);
        assert_close(positive.recall, 2.0 / 3.0);
        assert_close(positive.f1, 2.0 / 3.0);
        assert_eq!(positive.support, 3);
        let negative = confusion.class(false);
        assert_close(negative.precision, 0.75);
        assert_close(negative.recall, 0.75);
        assert_close(negative.f1, 0.75);
        assert_eq!(negative.support, 4);
        assert_close(confusion.accuracy(), 5.0 / 7.0);

        // An asymmetric case, where swapping y_true and y_pred would change the answer.
        let confusion = Confusion::from_predictions(&[1, 1, 1, 1, 0, 0], &[1, 0, 0, 0, 1, 0]);
        assert_eq!(
            confusion,
            Confusion { true_positives: 1, false_positives: 1, true_negatives: 1, false_negatives: 3 }
        );
        let positive = confusion.class(true);
        assert_close(positive.precision, 0.5);
        assert_close(positive.recall, 0.25);
        assert_close(positive.f1, 1.0 / 3.0);
        assert_eq!(positive.support, 4);
        let negative = confusion.class(false);
        assert_close(negative.precision, 0.25);
        assert_close(negative.recall, 0.5);
        assert_eq!(negative.support, 2);
    }

    #[test]
    fn zero_divisions_are_zero() {
        let confusion = Confusion::from_predictions(&[0, 0, 1], &[0, 0, 0]);
        let positive = confusion.class(true);
        assert_eq!((positive.precision, positive.recall, positive.f1), (0.0, 0.0, 0.0));
        assert_eq!(Confusion::default().accuracy(), 0.0);
    }

    #[test]
    fn threshold_confusion_matches_the_predictions() {
        let labels = [1, 1, 1, 0, 0, 0, 0];
        let scores = [0.9, 0.4, 0.7, 0.6, 0.2, 0.8, 0.1];
        let metrics = binary_metrics(&rows(&scores, &labels), 0.65, 100).unwrap();
        assert_eq!(metrics.confusion, Confusion::from_predictions(&labels, &[1, 0, 1, 0, 0, 1, 0]));
        assert_close(metrics.accuracy, 5.0 / 7.0);
        assert_close(metrics.positive.precision, 2.0 / 3.0);
        assert_close(metrics.negative.recall, 0.75);
        // A score equal to the threshold is predicted 1.
        let at_threshold = binary_metrics(&[group(0.5, 1, 0), group(0.2, 0, 1)], 0.5, 100).unwrap();
        assert_eq!(at_threshold.confusion.true_positives, 1);
        assert_close(at_threshold.accuracy, 1.0);
    }

    #[test]
    fn log_loss_of_a_hand_example() {
        let metrics = binary_metrics(&rows(&[0.8, 0.3, 0.6, 0.9], &[1, 0, 0, 1]), 0.5, 100).unwrap();
        let expected = -(0.8_f64.ln() + 0.7_f64.ln() + 0.4_f64.ln() + 0.9_f64.ln()) / 4.0;
        assert_close(metrics.log_loss, expected);
        assert!((metrics.log_loss - 0.400_367_4).abs() < 1e-6);
        // Counts weight the groups: three rows at 0.8 with label 1 and one at 0.4 with label 0.
        let weighted = binary_metrics(&[group(0.8, 3, 0), group(0.4, 0, 1)], 0.5, 100).unwrap();
        assert_close(weighted.log_loss, -(3.0 * 0.8_f64.ln() + 0.6_f64.ln()) / 4.0);
    }

    #[test]
    fn log_loss_clamps_certain_mistakes() {
        let metrics = binary_metrics(&[group(1.0, 0, 1), group(0.0, 0, 1), group(1.0, 1, 0)], 0.5, 100).unwrap();
        // As in scikit-learn, 1 − p is computed from the clamped p, so a certain mistake costs
        // −ln(1 − (1 − 1e-15)) ≈ 34.5396 and a certain success ≈ 1e-15.
        let clamped = 1.0 - 1e-15_f64;
        let expected = (-(1.0 - clamped).ln() - 2.0 * clamped.ln()) / 3.0;
        assert_close(metrics.log_loss, expected);
        assert!((metrics.log_loss - 11.513_192).abs() < 1e-5);
    }

    #[test]
    fn empty_and_one_class_inputs_are_errors() {
        assert!(matches!(roc_auc(&[]), Err(MetricsError::Empty)));
        assert!(matches!(binary_metrics(&[group(0.4, 0, 0)], 0.5, 10), Err(MetricsError::Empty)));
        assert!(matches!(
            binary_metrics(&[group(0.4, 2, 0), group(0.9, 3, 0)], 0.5, 10),
            Err(MetricsError::OneClass { rows: 5, positives: 5 })
        ));
        assert!(matches!(roc_auc(&[group(0.4, 0, 2)]), Err(MetricsError::OneClass { rows: 2, positives: 0 })));
    }

    #[test]
    fn scores_must_be_probabilities() {
        for score in [f64::NAN, 1.5, -0.1, f64::INFINITY] {
            let result = roc_auc(&[group(score, 1, 1), group(0.5, 1, 1)]);
            assert!(matches!(result, Err(MetricsError::NotProbability { .. })), "{score}: {result:?}");
        }
    }

    #[test]
    fn roc_curve_runs_from_origin_to_one_one() {
        let metrics = binary_metrics(&rows(&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1]), 0.5, 100).unwrap();
        let points: Vec<(f64, f64, f64)> =
            metrics.roc.iter().map(|p| (p.threshold, p.false_positive_rate, p.true_positive_rate)).collect();
        assert_eq!(
            points,
            vec![(f64::INFINITY, 0.0, 0.0), (0.8, 0.0, 0.5), (0.4, 0.5, 0.5), (0.35, 0.5, 1.0), (0.1, 1.0, 1.0)]
        );
    }

    #[test]
    fn roc_downsampling_keeps_the_ends_and_the_bound() {
        let counts: Vec<ScoreCount> = (0..100_u32).map(|i| group(f64::from(i) / 100.0, u64::from(i % 3), 1)).collect();
        let full = binary_metrics(&counts, 0.5, 1_000).unwrap().roc;
        assert_eq!(full.len(), 101);
        for max in [0, 1, 2, 3, 10, 50, 100, 101, 102] {
            let roc = binary_metrics(&counts, 0.5, max).unwrap().roc;
            assert_eq!(roc.len(), max.clamp(2, 101), "max {max}");
            assert_eq!(roc.first(), full.first());
            assert_eq!(roc.last(), full.last());
            assert!(roc.windows(2).all(|pair| pair[0].threshold > pair[1].threshold), "max {max}");
            assert!(roc.iter().all(|point| full.contains(point)));
        }
        let ends = binary_metrics(&counts, 0.5, 0).unwrap().roc;
        assert_eq!((ends[0].false_positive_rate, ends[0].true_positive_rate), (0.0, 0.0));
        assert_eq!((ends[1].false_positive_rate, ends[1].true_positive_rate), (1.0, 1.0));
    }

    #[test]
    fn auc_of_ten_million_rows_is_exact() {
        // One positive above everything, one negative below everything and a tie group of
        // 5M + 5M: U = N + 5M · 1 + 5M · 5M / 2, all exact in f64.
        let tied = 5_000_000_u64;
        let counts = [group(0.9, 1, 0), group(0.5, tied, tied), group(0.1, 0, 1)];
        let (p, n) = (tied + 1, tied + 1);
        let u = n as f64 + tied as f64 + (tied as f64) * (tied as f64) / 2.0;
        let expected = u / (p as f64 * n as f64);
        let auc = roc_auc(&counts).unwrap();
        assert!((auc - expected).abs() <= 1e-15, "{auc} != {expected}");
        assert_eq!(binary_metrics(&counts, 0.5, 10).unwrap().rows, 2 * tied + 2);
    }
}
