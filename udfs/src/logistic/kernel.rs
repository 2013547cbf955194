//! The row transform, the loss and its gradient, and document frequencies, over plain slices.

use thiserror::Error;

use super::exact::ExactSum;

/// Why a model, a row or a partial sum cannot be used.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    /// The coefficients are not one per feature plus the intercept.
    #[error(
        "the model has {idf} idf weights and {coefficients} coefficients; it needs one coefficient per \
         feature, then the intercept"
    )]
    Shape {
        /// Number of idf weights, that is of features.
        idf: usize,
        /// Number of coefficients.
        coefficients: usize,
    },
    /// A feature index the model has no weight for.
    #[error(
        "feature index {index} is outside the model's {num_features} features; were the features hashed \
         with another --num-features?"
    )]
    FeatureOutOfRange {
        /// The index in the row.
        index: i32,
        /// The number of features of the model.
        num_features: usize,
    },
    /// The two parallel lists of a sparse row differ in length.
    #[error("a feature row has {indices} indices but {values} values")]
    RowLengths {
        /// Number of indices.
        indices: usize,
        /// Number of values.
        values: usize,
    },
    /// A term frequency that, weighted by its idf, is not a finite number.
    #[error("feature {index} has term frequency {value}, which weighted by its idf is not a finite number")]
    NonFinite {
        /// The feature index.
        index: i32,
        /// The term frequency in the row.
        value: f64,
    },
    /// Logistic regression labels are 0 or 1.
    #[error("label {0} is neither 0 nor 1")]
    Label(f64),
    /// Sample weights scale a row's loss; a negative or non-finite one has no meaning.
    #[error("sample weight {0} is not a finite number >= 0")]
    Weight(f64),
    /// A loss or gradient term too large for the exact sums (a diverging model).
    #[error("a loss or gradient term of {0} is too large to sum (|term| > 2^40): has the optimiser diverged?")]
    Term(f64),
    /// The exact sums overflowed.
    #[error("the loss and gradient sums overflowed")]
    SumOverflow,
    /// Partial sums or counts over different numbers of features.
    #[error("partial sums over {sums} values cannot be combined with {other} values")]
    Mismatch {
        /// Length of the sums being added to.
        sums: usize,
        /// Length of what was added.
        other: usize,
    },
}

/// The logistic function 1 / (1 + e^-z), without overflow: e^z is only taken for z < 0, where
/// it is at most 1.
///
/// ```
/// use reviewlake_udfs::logistic::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(-1000.0), 0.0);
/// ```
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^z) without overflow for large z nor loss of precision for very negative z.
///
/// For z > 35 the result is z itself: the rest, ln(1 + e^-z) < e^-35 ≈ 6e-16, is below half
/// an ulp of z.
///
/// ```
/// use reviewlake_udfs::logistic::log1p_exp;
/// assert_eq!(log1p_exp(1000.0), 1000.0);
/// assert!((log1p_exp(0.0) - std::f64::consts::LN_2).abs() < 1e-15);
/// ```
pub fn log1p_exp(z: f64) -> f64 {
    if z > 35.0 {
        z
    } else if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// A logistic regression over idf-weighted, L2-normalised term frequencies.
///
/// A row is a sparse vector of term frequencies (`indices` with their `values`, as
/// `hash_features` gives them). The model sees it as
///
/// * x_j = tf_j * idf_j for each (j, tf_j) of the row, then
/// * x = x / ‖x‖₂, so that long and short reviews weigh the same; a row whose norm is 0 (no
///   terms, or only terms of idf 0) stays all-zero and only the intercept scores it.
///
/// The margin is z = intercept + Σ w_j x_j and the probability of label 1 is sigmoid(z). The
/// indices of a row are expected unique, as `hash_features` makes them: a repeated index is two
/// entries of the vector.
#[derive(Debug, Clone, Copy)]
pub struct LogisticModel<'a> {
    /// The idf weight of each feature.
    pub idf: &'a [f64],
    /// One coefficient per feature, then the intercept (last).
    pub coefficients: &'a [f64],
}

impl<'a> LogisticModel<'a> {
    /// The model, once the coefficients are one per feature plus the intercept.
    ///
    /// ```
    /// use reviewlake_udfs::logistic::LogisticModel;
    /// assert!(LogisticModel::new(&[1.0, 1.0], &[0.5, -0.5, 0.1]).is_ok());
    /// assert!(LogisticModel::new(&[1.0, 1.0], &[0.5, -0.5]).is_err());
    /// ```
    pub fn new(idf: &'a [f64], coefficients: &'a [f64]) -> Result<Self, ModelError> {
        let model = Self { idf, coefficients };
        model.check_shape()?;
        Ok(model)
    }

    /// The number of features (buckets) of the model.
    pub fn num_features(&self) -> usize {
        self.idf.len()
    }

    /// The intercept: the last coefficient (0 for a model without coefficients).
    pub fn intercept(&self) -> f64 {
        self.coefficients.last().copied().unwrap_or(0.0)
    }

    /// The margin z of one row (see the type's documentation for the transform).
    ///
    /// ```
    /// use reviewlake_udfs::logistic::LogisticModel;
    /// let model = LogisticModel::new(&[2.0, 1.0], &[1.0, -1.0, 0.25]).unwrap();
    /// // x = (2·3, 0) / 6 = (1, 0): z = 0.25 + 1
    /// assert_eq!(model.margin(&[0], &[3.0]).unwrap(), 1.25);
    /// assert_eq!(model.margin(&[], &[]).unwrap(), 0.25);
    /// ```
    pub fn margin(&self, indices: &[i32], values: &[f64]) -> Result<f64, ModelError> {
        let norm = self.norm(indices, values)?;
        Ok(self.margin_with_norm(indices, values, norm))
    }

    /// Checks the fields, which are public and may not have come through [`Self::new`].
    fn check_shape(&self) -> Result<(), ModelError> {
        if self.coefficients.len() == self.idf.len() + 1 {
            Ok(())
        } else {
            Err(ModelError::Shape { idf: self.idf.len(), coefficients: self.coefficients.len() })
        }
    }

    /// The first pass over a row: checks the model, the row and every index, and returns ‖x‖₂
    /// of the idf-weighted row. Once it succeeds, every index of the row is a valid position in
    /// `idf` and `coefficients`.
    fn norm(&self, indices: &[i32], values: &[f64]) -> Result<f64, ModelError> {
        self.check_shape()?;
        if indices.len() != values.len() {
            return Err(ModelError::RowLengths { indices: indices.len(), values: values.len() });
        }
        let (mut sum_squares, mut largest) = (0.0f64, 0.0f64);
        for (&index, &tf) in indices.iter().zip(values) {
            let idf = usize::try_from(index)
                .ok()
                .and_then(|j| self.idf.get(j))
                .ok_or(ModelError::FeatureOutOfRange { index, num_features: self.idf.len() })?;
            let x = tf * idf;
            if !x.is_finite() {
                return Err(ModelError::NonFinite { index, value: tf });
            }
            sum_squares += x * x;
            largest = largest.max(x.abs());
        }
        if sum_squares.is_finite() && sum_squares >= f64::MIN_POSITIVE {
            return Ok(sum_squares.sqrt());
        }
        if largest == 0.0 {
            return Ok(0.0);
        }
        // The squares overflowed or underflowed: scale by the largest entry first. Rows of
        // term counts never come here.
        let scaled: f64 = indices.iter().zip(values).map(|(&j, &tf)| self.feature(j, tf, largest).powi(2)).sum();
        Ok(largest * scaled.sqrt())
    }

    /// x_j of an entry of a row whose indices [`Self::norm`] has checked.
    #[inline]
    fn feature(&self, index: i32, tf: f64, norm: f64) -> f64 {
        tf * self.idf[index as usize] / norm
    }

    /// The second pass: the margin of a row checked by [`Self::norm`], which gave `norm`.
    fn margin_with_norm(&self, indices: &[i32], values: &[f64], norm: f64) -> f64 {
        let mut z = self.intercept();
        if norm > 0.0 {
            for (&index, &tf) in indices.iter().zip(values) {
                z += self.coefficients[index as usize] * self.feature(index, tf, norm);
            }
        }
        z
    }
}

/// The log loss and its gradient summed over rows, not divided by anything: partial sums of
/// partitions add up, and the caller divides by `weight` (or not) and adds its regulariser.
///
/// For a row with label y ∈ {0, 1}, sample weight s ≥ 0 and margin z:
///
/// * loss += s · (ln(1 + e^z) − y·z)
/// * gradient_j += s · (sigmoid(z) − y) · x_j for the row's features, and the intercept slot
///   (last, index `num_features`) += s · (sigmoid(z) − y)
/// * rows += 1, weight += s
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradientSums {
    loss: ExactSum,
    gradient: Vec<ExactSum>,
    rows: u64,
    weight: ExactSum,
}

impl GradientSums {
    /// Empty sums for a model of `num_features` features.
    pub fn new(num_features: usize) -> Self {
        Self {
            loss: ExactSum::default(),
            gradient: vec![ExactSum::default(); num_features + 1],
            rows: 0,
            weight: ExactSum::default(),
        }
    }

    /// Σ s · log loss.
    pub fn loss(&self) -> f64 {
        self.loss.value()
    }

    /// ∂ loss / ∂ coefficient: one per feature, then the intercept.
    pub fn gradient(&self) -> Vec<f64> {
        self.gradient.iter().map(|g| g.value()).collect()
    }

    /// Rows added.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Σ s.
    pub fn weight(&self) -> f64 {
        self.weight.value()
    }

    /// Adds one row; on error the sums are unusable (the aggregate fails).
    ///
    /// ```
    /// use reviewlake_udfs::logistic::{GradientSums, LogisticModel};
    /// let model = LogisticModel::new(&[1.0, 1.0], &[0.0, 0.0, 0.0]).unwrap();
    /// let mut sums = GradientSums::new(2);
    /// sums.add_row(&model, &[1], &[2.0], 1.0, 1.0).unwrap();
    /// assert!((sums.loss() - std::f64::consts::LN_2).abs() < 1e-15);
    /// assert_eq!(sums.gradient(), [0.0, -0.5, -0.5]);
    /// ```
    pub fn add_row(
        &mut self,
        model: &LogisticModel<'_>,
        indices: &[i32],
        values: &[f64],
        label: f64,
        weight: f64,
    ) -> Result<(), ModelError> {
        if label != 0.0 && label != 1.0 {
            return Err(ModelError::Label(label));
        }
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(ModelError::Weight(weight));
        }
        if self.gradient.len() != model.coefficients.len() {
            return Err(ModelError::Mismatch { sums: self.gradient.len(), other: model.coefficients.len() });
        }
        let norm = model.norm(indices, values)?;
        let z = model.margin_with_norm(indices, values, norm);
        // ln(1 + e^z) − z = ln(1 + e^-z): no cancellation for confident positives.
        self.loss.add(weight * if label == 1.0 { log1p_exp(-z) } else { log1p_exp(z) })?;
        let residual = weight * (sigmoid(z) - label);
        if norm > 0.0 && residual != 0.0 {
            for (&index, &tf) in indices.iter().zip(values) {
                self.gradient[index as usize].add(residual * model.feature(index, tf, norm))?;
            }
        }
        if let Some(intercept) = self.gradient.last_mut() {
            intercept.add(residual)?;
        }
        self.rows += 1;
        self.weight.add(weight)?;
        Ok(())
    }

    /// Adds the sums of other rows.
    pub fn merge(&mut self, other: &GradientSums) -> Result<(), ModelError> {
        if other.gradient.len() != self.gradient.len() {
            return Err(ModelError::Mismatch { sums: self.gradient.len(), other: other.gradient.len() });
        }
        self.loss.merge(other.loss)?;
        for (sum, part) in self.gradient.iter_mut().zip(&other.gradient) {
            sum.merge(*part)?;
        }
        self.rows = self.rows.saturating_add(other.rows);
        self.weight.merge(other.weight)
    }

    /// The exact sums as bytes (an aggregate's partial state): loss, weight, then the gradient,
    /// each [`ExactSum::BYTES`] little-endian bytes. The row count travels beside them.
    pub fn to_state_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity((self.gradient.len() + 2) * ExactSum::BYTES);
        for sum in [self.loss, self.weight].iter().chain(&self.gradient) {
            bytes.extend_from_slice(&sum.to_le_bytes());
        }
        bytes
    }

    /// Adds the sums of `rows` other rows, as [`Self::to_state_bytes`] wrote them.
    pub fn merge_state_bytes(&mut self, bytes: &[u8], rows: u64) -> Result<(), ModelError> {
        let values = bytes.len() / ExactSum::BYTES;
        if bytes.len() % ExactSum::BYTES != 0 || values != self.gradient.len() + 2 {
            return Err(ModelError::Mismatch { sums: self.gradient.len(), other: values.saturating_sub(2) });
        }
        let mut sums = bytes.chunks_exact(ExactSum::BYTES).map(|chunk| {
            let mut word = [0u8; ExactSum::BYTES];
            word.copy_from_slice(chunk);
            ExactSum::from_le_bytes(word)
        });
        let (Some(loss), Some(weight)) = (sums.next(), sums.next()) else {
            return Err(ModelError::Mismatch { sums: self.gradient.len(), other: 0 });
        };
        let other = GradientSums { loss, gradient: sums.collect(), rows, weight };
        self.merge(&other)
    }
}

/// In how many rows (documents) each feature occurs: the counts an idf is fitted on.
///
/// A row counts each of its indices once, in whatever order they come and even if one repeats.
#[derive(Debug, Clone)]
pub struct DocumentFrequencies {
    /// Rows added.
    pub documents: u64,
    /// For each feature, the number of rows it occurs in.
    pub counts: Vec<u64>,
    /// For each feature, the stamp of the last row that counted it; allocated by the first
    /// [`Self::add_row`] (merging needs none).
    last_row: Vec<u64>,
    /// The stamp of the last row added, from 1.
    stamp: u64,
}

impl PartialEq for DocumentFrequencies {
    /// Equal counts; how they were gathered does not matter.
    fn eq(&self, other: &Self) -> bool {
        self.documents == other.documents && self.counts == other.counts
    }
}

impl DocumentFrequencies {
    /// No documents yet, over `num_features` features.
    pub fn new(num_features: usize) -> Self {
        Self { documents: 0, counts: vec![0; num_features], last_row: Vec::new(), stamp: 0 }
    }

    /// Counts one row's indices; on error nothing is counted.
    ///
    /// ```
    /// use reviewlake_udfs::logistic::DocumentFrequencies;
    /// let mut frequencies = DocumentFrequencies::new(4);
    /// frequencies.add_row(&[0, 2]).unwrap();
    /// frequencies.add_row(&[3, 2, 3]).unwrap();
    /// assert_eq!((frequencies.documents, frequencies.counts), (2, vec![1, 0, 2, 1]));
    /// ```
    pub fn add_row(&mut self, indices: &[i32]) -> Result<(), ModelError> {
        let num_features = self.counts.len();
        if let Some(&index) = indices.iter().find(|&&index| !usize::try_from(index).is_ok_and(|j| j < num_features)) {
            return Err(ModelError::FeatureOutOfRange { index, num_features });
        }
        if self.last_row.len() != num_features {
            self.last_row = vec![0; num_features];
        }
        self.stamp += 1;
        for &index in indices {
            let j = index as usize;
            if self.last_row[j] != self.stamp {
                self.last_row[j] = self.stamp;
                self.counts[j] += 1;
            }
        }
        self.documents += 1;
        Ok(())
    }

    /// Adds the counts of other rows.
    pub fn merge(&mut self, other: &DocumentFrequencies) -> Result<(), ModelError> {
        self.merge_parts(other.documents, &other.counts)
    }

    /// Adds the counts of other rows given field by field (as an aggregate's partial state
    /// holds them); on error nothing is added.
    pub fn merge_parts(&mut self, documents: u64, counts: &[u64]) -> Result<(), ModelError> {
        if counts.len() != self.counts.len() {
            return Err(ModelError::Mismatch { sums: self.counts.len(), other: counts.len() });
        }
        self.documents = self.documents.saturating_add(documents);
        for (sum, part) in self.counts.iter_mut().zip(counts) {
            *sum = sum.saturating_add(*part);
        }
        Ok(())
    }
}

/// Spark ML's smoothed idf: ln((documents + 1) / (document_frequency + 1)). A term in every
/// document weighs 0; a term in none weighs ln(documents + 1).
///
/// ```
/// use reviewlake_udfs::logistic::smooth_idf;
/// assert_eq!(smooth_idf(3, 3), 0.0);
/// assert!((smooth_idf(3, 1) - std::f64::consts::LN_2).abs() < 1e-15);
/// ```
pub fn smooth_idf(documents: u64, document_frequency: u64) -> f64 {
    ((documents as f64 + 1.0) / (document_frequency as f64 + 1.0)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDF: [f64; 4] = [0.5, 1.3, 2.0, 0.9];
    const COEFFICIENTS: [f64; 5] = [0.3, -1.2, 0.8, 2.1, -0.4];

    /// (indices, term frequencies, label, weight)
    type Row = (&'static [i32], &'static [f64], f64, f64);
    const ROWS: [Row; 3] =
        [(&[0, 2], &[1.0, 3.0], 1.0, 1.0), (&[1, 2, 3], &[2.0, 1.0, 1.0], 0.0, 0.5), (&[3, 1], &[4.0, 1.0], 1.0, 2.0)];

    fn sums(coefficients: &[f64], rows: &[Row]) -> GradientSums {
        let model = LogisticModel::new(&IDF, coefficients).unwrap();
        let mut sums = GradientSums::new(IDF.len());
        for &(indices, values, label, weight) in rows {
            sums.add_row(&model, indices, values, label, weight).unwrap();
        }
        sums
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn the_gradient_is_the_derivative_of_the_loss() {
        let exact = sums(&COEFFICIENTS, &ROWS);
        assert_eq!(exact.rows(), 3);
        assert_eq!(exact.weight(), 3.5);
        let gradient = exact.gradient();
        let h = 1e-6;
        for k in 0..COEFFICIENTS.len() {
            let (mut up, mut down) = (COEFFICIENTS, COEFFICIENTS);
            up[k] += h;
            down[k] -= h;
            let numeric = (sums(&up, &ROWS).loss() - sums(&down, &ROWS).loss()) / (2.0 * h);
            assert!(close(gradient[k], numeric, 1e-6), "coefficient {k}: {} vs {numeric}", gradient[k]);
        }
    }

    #[test]
    fn zero_coefficients_give_ln_2_per_unit_of_weight() {
        let sums = sums(&[0.0; 5], &ROWS);
        assert!(close(sums.loss(), 3.5 * std::f64::consts::LN_2, 1e-15));
        // Σ s (0.5 − y) = −0.5 + 0.25 − 1
        assert!(close(sums.gradient()[4], -1.25, 1e-15));
    }

    #[test]
    fn an_empty_row_scores_the_intercept() {
        let model = LogisticModel::new(&IDF, &COEFFICIENTS).unwrap();
        assert_eq!(model.margin(&[], &[]).unwrap(), -0.4);
        // Only terms of idf 0: the vector is zero.
        let model = LogisticModel::new(&[0.0, 1.0], &[5.0, 1.0, 0.7]).unwrap();
        assert_eq!(model.margin(&[0], &[3.0]).unwrap(), 0.7);
        let mut sums = GradientSums::new(2);
        sums.add_row(&model, &[0], &[3.0], 1.0, 1.0).unwrap();
        assert_eq!(sums.gradient()[..2], [0.0, 0.0]);
        assert!(close(sums.gradient()[2], sigmoid(0.7) - 1.0, 1e-15));
    }

    #[test]
    fn normalisation_makes_the_margin_independent_of_the_review_length() {
        let model = LogisticModel::new(&IDF, &COEFFICIENTS).unwrap();
        let short = model.margin(&[1, 2, 3], &[2.0, 1.0, 1.0]).unwrap();
        let long = model.margin(&[1, 2, 3], &[20.0, 10.0, 10.0]).unwrap();
        assert!(close(short, long, 1e-14), "{short} vs {long}");
        // Huge and tiny counts take the scaled norm and agree too.
        let huge = model.margin(&[1, 2, 3], &[2e300, 1e300, 1e300]).unwrap();
        let tiny = model.margin(&[1, 2, 3], &[2e-300, 1e-300, 1e-300]).unwrap();
        assert!(close(short, huge, 1e-13) && close(short, tiny, 1e-13), "{short} {huge} {tiny}");
    }

    #[test]
    fn rows_outside_the_model_are_errors() {
        let model = LogisticModel::new(&IDF, &COEFFICIENTS).unwrap();
        assert_eq!(model.margin(&[4], &[1.0]), Err(ModelError::FeatureOutOfRange { index: 4, num_features: 4 }));
        let negative = model.margin(&[0, -1], &[1.0, 1.0]);
        assert_eq!(negative, Err(ModelError::FeatureOutOfRange { index: -1, num_features: 4 }));
        assert_eq!(model.margin(&[0, 1], &[1.0]), Err(ModelError::RowLengths { indices: 2, values: 1 }));
        assert!(matches!(model.margin(&[1], &[f64::NAN]), Err(ModelError::NonFinite { index: 1, .. })));
        assert!(matches!(model.margin(&[1], &[f64::INFINITY]), Err(ModelError::NonFinite { index: 1, .. })));

        let idf = vec![1.0; 262_144];
        let coefficients = vec![0.0; 262_145];
        let wide = LogisticModel::new(&idf, &coefficients).unwrap();
        assert_eq!(
            wide.margin(&[300_000], &[1.0]).unwrap_err().to_string(),
            "feature index 300000 is outside the model's 262144 features; were the features hashed with another \
             --num-features?"
        );

        let error = LogisticModel::new(&IDF, &COEFFICIENTS[..4]).unwrap_err();
        assert_eq!(error, ModelError::Shape { idf: 4, coefficients: 4 });
        assert!(error.to_string().contains("4 idf weights and 4 coefficients"), "{error}");
        let unchecked = LogisticModel { idf: &IDF, coefficients: &COEFFICIENTS[..3] };
        assert!(matches!(unchecked.margin(&[0], &[1.0]), Err(ModelError::Shape { .. })));
    }

    #[test]
    fn bad_labels_and_weights_are_errors_and_add_nothing() {
        let model = LogisticModel::new(&IDF, &COEFFICIENTS).unwrap();
        let mut sums = GradientSums::new(4);
        assert_eq!(sums.add_row(&model, &[0], &[1.0], 0.5, 1.0), Err(ModelError::Label(0.5)));
        assert!(matches!(sums.add_row(&model, &[0], &[1.0], f64::NAN, 1.0), Err(ModelError::Label(_))));
        assert_eq!(sums.add_row(&model, &[0], &[1.0], 1.0, -1.0), Err(ModelError::Weight(-1.0)));
        assert!(matches!(sums.add_row(&model, &[0], &[1.0], 1.0, f64::INFINITY), Err(ModelError::Weight(_))));
        assert!(matches!(sums.add_row(&model, &[9], &[1.0], 1.0, 1.0), Err(ModelError::FeatureOutOfRange { .. })));
        assert_eq!(sums, GradientSums::new(4));
        let mut narrow = GradientSums::new(3);
        assert_eq!(narrow.add_row(&model, &[0], &[1.0], 1.0, 1.0), Err(ModelError::Mismatch { sums: 4, other: 5 }));
    }

    #[test]
    fn merged_halves_equal_one_pass() {
        let whole = sums(&COEFFICIENTS, &ROWS);
        let mut first = sums(&COEFFICIENTS, &ROWS[..1]);
        first.merge(&sums(&COEFFICIENTS, &ROWS[1..])).unwrap();
        // Exact sums: merged halves are the one pass, bit for bit.
        assert_eq!(first, whole);
        let mut from_bytes = sums(&COEFFICIENTS, &ROWS[..1]);
        let rest = sums(&COEFFICIENTS, &ROWS[1..]);
        from_bytes.merge_state_bytes(&rest.to_state_bytes(), rest.rows()).unwrap();
        assert_eq!(from_bytes, whole);
        assert_eq!(first.merge(&GradientSums::new(2)), Err(ModelError::Mismatch { sums: 5, other: 3 }));
    }

    #[test]
    fn sigmoid_and_log1p_exp_are_stable() {
        for z in [-30.0, -5.0, -0.1, 0.0, 0.1, 5.0, 30.0] {
            assert!(close(sigmoid(z), 1.0 / (1.0 + f64::exp(-z)), 1e-15), "{z}");
            assert!(close(log1p_exp(z), f64::ln(1.0 + f64::exp(z)), 1e-14), "{z}");
        }
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!(close(sigmoid(-700.0), f64::exp(-700.0), 1e-12));
        assert_eq!(log1p_exp(1000.0), 1000.0);
        assert_eq!(log1p_exp(-1000.0), 0.0);
        assert!(close(log1p_exp(-700.0), f64::exp(-700.0), 1e-12));
        assert!(close(log1p_exp(36.0), 36.0, 1e-16));
        assert!(sigmoid(f64::NAN).is_nan() && log1p_exp(f64::NAN).is_nan());
    }

    #[test]
    fn document_frequencies_count_each_index_once_per_row() {
        let mut frequencies = DocumentFrequencies::new(4);
        for row in [&[0, 2][..], &[3, 2], &[], &[3, 1, 3]] {
            frequencies.add_row(row).unwrap();
        }
        assert_eq!(frequencies.documents, 4);
        assert_eq!(frequencies.counts, [1, 1, 2, 2]);
        assert_eq!(frequencies.add_row(&[1, 4]), Err(ModelError::FeatureOutOfRange { index: 4, num_features: 4 }));
        assert_eq!(frequencies.add_row(&[-3]), Err(ModelError::FeatureOutOfRange { index: -3, num_features: 4 }));
        assert_eq!((frequencies.documents, &frequencies.counts[..]), (4, &[1, 1, 2, 2][..]));

        let mut merged = DocumentFrequencies::new(4);
        merged.add_row(&[0, 2]).unwrap();
        let mut rest = DocumentFrequencies::new(4);
        for row in [&[3, 2][..], &[], &[3, 1, 3]] {
            rest.add_row(row).unwrap();
        }
        merged.merge(&rest).unwrap();
        assert_eq!(merged, frequencies);
        assert_eq!(merged.merge(&DocumentFrequencies::new(3)), Err(ModelError::Mismatch { sums: 4, other: 3 }));
    }

    #[test]
    fn smooth_idf_is_sparks() {
        assert_eq!(smooth_idf(0, 0), 0.0);
        assert_eq!(smooth_idf(10, 10), 0.0);
        assert!(close(smooth_idf(3, 1), std::f64::consts::LN_2, 1e-15));
        assert!(close(smooth_idf(9, 0), 10f64.ln(), 1e-15));
        assert!(smooth_idf(100, 1) > smooth_idf(100, 50));
    }
}
