//! A limited-memory BFGS minimiser whose objective is an `async` function.
//!
//! reviewlake trains logistic regression on the cluster: one evaluation of the loss and its
//! gradient is one distributed job that takes seconds, so the optimiser runs on the client and
//! what it must economise is the number of evaluations, not the arithmetic between them. The
//! algorithm is L-BFGS with the two-loop recursion and a strong-Wolfe line search (Nocedal &
//! Wright, *Numerical Optimization*, 2nd ed., Algorithms 7.4, 3.5 and 3.6). It is deterministic:
//! the same start, options and objective give bitwise the same iterates, so a training run can
//! be repeated and audited.

use std::collections::VecDeque;
use std::fmt;

use ndarray::Array1;

/// Sufficient-decrease (Armijo) constant `c1` of the Wolfe conditions.
const ARMIJO: f64 = 1e-4;
/// Curvature constant `c2` of the strong Wolfe conditions (the usual value for quasi-Newton).
const CURVATURE: f64 = 0.9;
/// Objective evaluations one line search may spend.
const MAX_LINE_SEARCH_EVALUATIONS: usize = 20;
/// A correction pair is skipped unless `s·y > CURVATURE_SKIP · ‖s‖ · ‖y‖`, which keeps the
/// implicit Hessian approximation positive definite.
const CURVATURE_SKIP: f64 = 1e-10;
/// Interpolated steps must lie this fraction of the bracket away from its ends, so that the
/// bracket shrinks by a fixed factor even when the cubic model is poor.
const SAFEGUARD: f64 = 0.1;
/// While bracketing, the next trial step is at most this many advances beyond the current one.
const MAX_EXTRAPOLATION: f64 = 10.0;

/// Settings of [`minimize`]; the defaults suit a smooth convex loss such as regularised
/// logistic regression.
#[derive(Debug, Clone, PartialEq)]
pub struct LbfgsOptions {
    /// Correction pairs `(s, y)` kept for the Hessian approximation (10). Zero makes the
    /// method steepest descent with a line search.
    pub memory: usize,
    /// Iterations (accepted steps) before stopping with [`StopReason::MaxIterations`] (100).
    pub max_iterations: usize,
    /// Objective evaluations, the start and every line-search trial included, before stopping
    /// with [`StopReason::MaxEvaluations`] (150). Each is a cluster job, so this bounds the cost.
    pub max_evaluations: usize,
    /// Stop when `‖g‖∞ ≤ gradient_tolerance · max(1, |f|)` (1e-6).
    pub gradient_tolerance: f64,
    /// Stop when an iteration's relative decrease `(f_prev − f) / max(|f_prev|, |f|, 1)` is at
    /// most this (1e-9).
    pub function_tolerance: f64,
}

impl Default for LbfgsOptions {
    /// The defaults documented on each field.
    fn default() -> Self {
        Self {
            memory: 10,
            max_iterations: 100,
            max_evaluations: 150,
            gradient_tolerance: 1e-6,
            function_tolerance: 1e-9,
        }
    }
}

/// One evaluation of the objective: the loss at a point and its gradient there.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The objective's value.
    pub loss: f64,
    /// The gradient of the objective; it must have the point's dimension.
    pub gradient: Array1<f64>,
}

/// Why [`minimize`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The gradient is small relative to the loss: a stationary point.
    GradientTolerance,
    /// The loss stopped decreasing meaningfully.
    FunctionTolerance,
    /// [`LbfgsOptions::max_iterations`] iterations were made.
    MaxIterations,
    /// [`LbfgsOptions::max_evaluations`] evaluations were spent.
    MaxEvaluations,
    /// After some progress, no step along the steepest descent lowered the loss: the loss's
    /// rounding noise is reached.
    NoDecrease,
}

impl fmt::Display for StopReason {
    /// A phrase for logs and reports.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::GradientTolerance => "the gradient tolerance was reached",
            StopReason::FunctionTolerance => "the loss stopped decreasing (function tolerance)",
            StopReason::MaxIterations => "the iteration limit was reached",
            StopReason::MaxEvaluations => "the evaluation limit was reached",
            StopReason::NoDecrease => "no step along the gradient lowered the loss further",
        })
    }
}

/// Progress after one accepted step, handed to the `on_iteration` callback so a long training
/// run can be logged or displayed.
#[derive(Debug, Clone, PartialEq)]
pub struct IterationReport {
    /// The iteration just completed, from 1.
    pub iteration: usize,
    /// Objective evaluations spent so far, the start included.
    pub evaluations: usize,
    /// The loss at the new iterate.
    pub loss: f64,
    /// `‖g‖∞` at the new iterate.
    pub gradient_norm: f64,
    /// The accepted step length along the search direction.
    pub step: f64,
}

/// The result of [`minimize`]: the lowest-loss point evaluated and how the run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The point with the lowest finite loss among all evaluations.
    pub x: Array1<f64>,
    /// The loss at `x` (NaN only when `max_evaluations` is 0 and nothing was evaluated).
    pub loss: f64,
    /// `‖g‖∞` at `x`.
    pub gradient_norm: f64,
    /// Iterations (accepted steps) made.
    pub iterations: usize,
    /// Objective evaluations made, never more than `max_evaluations`.
    pub evaluations: usize,
    /// Why the run stopped.
    pub reason: StopReason,
}

impl Minimum {
    /// Whether the run stopped on a tolerance rather than on a budget, i.e. whether `x` can be
    /// trusted as a minimiser.
    pub fn converged(&self) -> bool {
        matches!(self.reason, StopReason::GradientTolerance | StopReason::FunctionTolerance)
    }
}

/// Why [`minimize`] failed; `E` is the objective's own error.
#[derive(Debug, thiserror::Error)]
pub enum LbfgsError<E> {
    /// The objective failed (for reviewlake: the cluster job behind it).
    #[error(transparent)]
    Objective(E),
    /// The loss or gradient at the starting point is NaN or infinite, so there is nothing to
    /// descend from.
    #[error("the objective is not finite at the starting point (evaluation {evaluation}, ||x||_2 = {x_norm})")]
    NotFinite {
        /// The evaluation that produced the non-finite value (1: the start).
        evaluation: usize,
        /// The Euclidean norm of the starting point.
        x_norm: f64,
    },
    /// No step satisfying the Wolfe conditions, nor one with sufficient decrease, was found,
    /// even along the steepest descent. Usually the tolerances are below the objective's
    /// numerical noise, or the gradient does not match the loss.
    #[error("the line search of iteration {iteration} found no acceptable step: {reason}")]
    LineSearch {
        /// The iteration whose line search failed, from 1.
        iteration: usize,
        /// What ended the line search.
        reason: String,
    },
    /// The objective returned a gradient whose length is not the point's dimension.
    #[error("the objective returned a gradient of length {got} for a point of dimension {expected}")]
    DimensionMismatch {
        /// The point's dimension.
        expected: usize,
        /// The gradient's length.
        got: usize,
    },
}

/// Minimises `objective` from `x0` with L-BFGS, calling `on_iteration` after every accepted
/// step, and returns the lowest-loss point evaluated.
///
/// Every call of `objective` counts towards `options.max_evaluations`, which is never
/// exceeded; running out returns the best point so far with [`StopReason::MaxEvaluations`].
/// A NaN or infinite loss at a trial point only shortens the step; at `x0` it is
/// [`LbfgsError::NotFinite`]. With `max_evaluations` 0 nothing is evaluated and the result is
/// `x0` with a NaN loss.
pub async fn minimize<E>(
    x0: Array1<f64>,
    options: &LbfgsOptions,
    mut objective: impl AsyncFnMut(&Array1<f64>) -> Result<Evaluation, E>,
    mut on_iteration: impl FnMut(&IterationReport),
) -> Result<Minimum, LbfgsError<E>> {
    if options.max_evaluations == 0 {
        return Ok(Minimum {
            x: x0,
            loss: f64::NAN,
            gradient_norm: f64::NAN,
            iterations: 0,
            evaluations: 0,
            reason: StopReason::MaxEvaluations,
        });
    }
    let mut evaluator = Evaluator { evaluations: 0, max_evaluations: options.max_evaluations, best: None };
    let x_norm = norm2(&x0);
    let mut current = evaluator.evaluate(&mut objective, x0).await?;
    if !current.is_finite() {
        return Err(LbfgsError::NotFinite { evaluation: evaluator.evaluations, x_norm });
    }

    let mut memory: VecDeque<Correction> = VecDeque::with_capacity(options.memory.min(64));
    let mut iterations = 0;
    let mut previous_loss: Option<f64> = None;
    let reason = 'iterations: loop {
        let gradient_norm = norm_inf(&current.gradient);
        if gradient_norm <= options.gradient_tolerance * current.loss.abs().max(1.0) {
            break StopReason::GradientTolerance;
        }
        if let Some(previous) = previous_loss {
            let scale = previous.abs().max(current.loss.abs()).max(1.0);
            if (previous - current.loss) / scale <= options.function_tolerance {
                break StopReason::FunctionTolerance;
            }
        }
        if iterations >= options.max_iterations {
            break StopReason::MaxIterations;
        }
        if evaluator.exhausted() {
            break StopReason::MaxEvaluations;
        }

        // At most two passes: the second, along the steepest descent with an empty memory,
        // only after the quasi-Newton direction's line search failed.
        let (point, step) = loop {
            let mut direction =
                if memory.is_empty() { negated(&current.gradient) } else { two_loop(&current.gradient, &memory) };
            let mut slope = dot(&current.gradient, &direction);
            if !(slope < 0.0 && slope.is_finite()) {
                // Not a descent direction (the curvature information is stale): start afresh.
                memory.clear();
                direction = negated(&current.gradient);
                slope = -dot(&current.gradient, &current.gradient);
            }
            // Without curvature information the gradient's scale is the only guide to a step.
            let mut initial_step = if memory.is_empty() { 1.0 / norm2(&current.gradient) } else { 1.0 };
            if !(initial_step.is_finite() && initial_step > 0.0) {
                initial_step = 1.0;
            }
            let search =
                LineSearch { start: &current, direction: &direction, slope0: slope, evaluations: 0, acceptable: None };
            let outcome = search.run(&mut evaluator, &mut objective, initial_step).await?;
            match outcome {
                Outcome::Accepted { point, step } => break (point, step),
                Outcome::Exhausted => break 'iterations StopReason::MaxEvaluations,
                Outcome::Failed(reason) => {
                    if memory.is_empty() && iterations == 0 {
                        return Err(LbfgsError::LineSearch { iteration: iterations + 1, reason });
                    }
                    if memory.is_empty() {
                        // After progress, no step along the steepest descent lowers the loss:
                        // the loss's rounding noise is reached; the best point so far stands.
                        tracing::debug!(iteration = iterations + 1, %reason, "L-BFGS line search found no decrease");
                        break 'iterations StopReason::NoDecrease;
                    }
                    tracing::debug!(
                        iteration = iterations + 1,
                        %reason,
                        "L-BFGS line search failed; clearing the memory and retrying along the steepest descent"
                    );
                    memory.clear();
                }
            }
        };

        let s = difference(&point.x, &current.x);
        let y = difference(&point.gradient, &current.gradient);
        let sy = dot(&s, &y);
        if options.memory > 0 && sy > CURVATURE_SKIP * norm2(&s) * norm2(&y) {
            if memory.len() >= options.memory {
                memory.pop_front();
            }
            memory.push_back(Correction { rho: 1.0 / sy, s, y });
        }
        iterations += 1;
        previous_loss = Some(current.loss);
        current = point;
        on_iteration(&IterationReport {
            iteration: iterations,
            evaluations: evaluator.evaluations,
            loss: current.loss,
            gradient_norm: norm_inf(&current.gradient),
            step,
        });
    };

    let best = evaluator.best.take().unwrap_or(current);
    let gradient_norm = norm_inf(&best.gradient);
    tracing::debug!(iterations, evaluations = evaluator.evaluations, loss = best.loss, %reason, "L-BFGS stopped");
    Ok(Minimum { x: best.x, loss: best.loss, gradient_norm, iterations, evaluations: evaluator.evaluations, reason })
}

/// A point with its loss and gradient.
#[derive(Debug, Clone)]
struct Point {
    x: Array1<f64>,
    loss: f64,
    gradient: Array1<f64>,
}

impl Point {
    /// Whether the loss and every gradient component are finite, i.e. the point is usable.
    fn is_finite(&self) -> bool {
        self.loss.is_finite() && self.gradient.iter().all(|g| g.is_finite())
    }
}

/// One correction pair of the L-BFGS memory, with `rho = 1 / s·y`.
#[derive(Debug)]
struct Correction {
    s: Array1<f64>,
    y: Array1<f64>,
    rho: f64,
}

/// Counts the evaluations against the budget and remembers the best point seen.
struct Evaluator {
    evaluations: usize,
    max_evaluations: usize,
    best: Option<Point>,
}

impl Evaluator {
    /// Whether the evaluation budget is spent.
    fn exhausted(&self) -> bool {
        self.evaluations >= self.max_evaluations
    }

    /// Evaluates `objective` at `x`, checking the gradient's dimension.
    async fn evaluate<F, E>(&mut self, objective: &mut F, x: Array1<f64>) -> Result<Point, LbfgsError<E>>
    where
        F: AsyncFnMut(&Array1<f64>) -> Result<Evaluation, E>,
    {
        self.evaluations += 1;
        let Evaluation { loss, gradient } = objective(&x).await.map_err(LbfgsError::Objective)?;
        if gradient.len() != x.len() {
            return Err(LbfgsError::DimensionMismatch { expected: x.len(), got: gradient.len() });
        }
        let point = Point { x, loss, gradient };
        if point.is_finite() && self.best.as_ref().is_none_or(|best| point.loss < best.loss) {
            self.best = Some(point.clone());
        }
        Ok(point)
    }
}

/// The line function `φ(α) = f(x + α d)` sampled at one step: value and slope `φ'(α) = g·d`.
/// A non-finite evaluation is recorded as an infinite loss with a NaN slope.
#[derive(Debug, Clone, Copy)]
struct Sample {
    step: f64,
    loss: f64,
    slope: f64,
}

/// The result of one trial evaluation of a line search.
enum Probe {
    /// The trial was evaluated.
    Sample(Sample, Point),
    /// No evaluation was made: the global budget (`global`) or the line search's own is spent.
    OutOfBudget { global: bool },
}

/// How a line search ended.
enum Outcome {
    /// A step satisfying the strong Wolfe conditions, or failing that the lowest-loss trial with
    /// sufficient decrease.
    Accepted { point: Point, step: f64 },
    /// The global evaluation budget ran out before any acceptable step.
    Exhausted,
    /// No acceptable step; the reason.
    Failed(String),
}

/// The state of one strong-Wolfe line search from `start` along `direction`.
struct LineSearch<'a> {
    start: &'a Point,
    direction: &'a Array1<f64>,
    /// `φ'(0) = g·d < 0`.
    slope0: f64,
    evaluations: usize,
    /// The lowest-loss trial with sufficient decrease, with its step.
    acceptable: Option<(f64, Point)>,
}

impl LineSearch<'_> {
    /// The Armijo condition `φ(α) ≤ φ(0) + c1 α φ'(0)` (false for an infinite loss).
    fn sufficient_decrease(&self, step: f64, loss: f64) -> bool {
        loss <= self.start.loss + ARMIJO * step * self.slope0
    }

    /// The strong curvature condition `|φ'(α)| ≤ c2 |φ'(0)|` (false for a NaN slope).
    fn flat_enough(&self, slope: f64) -> bool {
        slope.abs() <= -CURVATURE * self.slope0
    }

    /// Ends an unsuccessful search: the best sufficient-decrease trial if there is one.
    fn finish(self, global: bool, reason: String) -> Outcome {
        match self.acceptable {
            Some((step, point)) => Outcome::Accepted { point, step },
            None if global => Outcome::Exhausted,
            None => Outcome::Failed(reason),
        }
    }

    /// Evaluates the trial `step`, unless a budget is spent.
    async fn probe<F, E>(
        &mut self,
        evaluator: &mut Evaluator,
        objective: &mut F,
        step: f64,
    ) -> Result<Probe, LbfgsError<E>>
    where
        F: AsyncFnMut(&Array1<f64>) -> Result<Evaluation, E>,
    {
        if evaluator.exhausted() {
            return Ok(Probe::OutOfBudget { global: true });
        }
        if self.evaluations >= MAX_LINE_SEARCH_EVALUATIONS {
            return Ok(Probe::OutOfBudget { global: false });
        }
        self.evaluations += 1;
        let x = self.start.x.iter().zip(self.direction.iter()).map(|(x, d)| x + step * d).collect::<Array1<f64>>();
        let point = evaluator.evaluate(objective, x).await?;
        let slope = dot(&point.gradient, self.direction);
        let sample = if point.is_finite() && slope.is_finite() {
            if self.sufficient_decrease(step, point.loss)
                && self.acceptable.as_ref().is_none_or(|(_, best)| point.loss < best.loss)
            {
                self.acceptable = Some((step, point.clone()));
            }
            Sample { step, loss: point.loss, slope }
        } else {
            // Too far: treated as a step that failed the sufficient decrease.
            Sample { step, loss: f64::INFINITY, slope: f64::NAN }
        };
        Ok(Probe::Sample(sample, point))
    }

    /// The bracketing phase (Nocedal & Wright, Algorithm 3.5) from `initial_step`.
    async fn run<F, E>(
        mut self,
        evaluator: &mut Evaluator,
        objective: &mut F,
        initial_step: f64,
    ) -> Result<Outcome, LbfgsError<E>>
    where
        F: AsyncFnMut(&Array1<f64>) -> Result<Evaluation, E>,
    {
        let mut previous = Sample { step: 0.0, loss: self.start.loss, slope: self.slope0 };
        let mut step = initial_step;
        let mut first = true;
        loop {
            let probe = self.probe(evaluator, objective, step).await?;
            let (sample, point) = match probe {
                Probe::Sample(sample, point) => (sample, point),
                Probe::OutOfBudget { global } => return Ok(self.finish(global, budget_reason(global))),
            };
            if !self.sufficient_decrease(sample.step, sample.loss) || (!first && sample.loss >= previous.loss) {
                return self.zoom(evaluator, objective, previous, sample).await;
            }
            if self.flat_enough(sample.slope) {
                return Ok(Outcome::Accepted { point, step: sample.step });
            }
            if sample.slope >= 0.0 {
                return self.zoom(evaluator, objective, sample, previous).await;
            }
            step = extrapolate(previous, sample);
            previous = sample;
            first = false;
        }
    }

    /// The zoom phase (Nocedal & Wright, Algorithm 3.6) on a bracket whose `low` end has the
    /// lower loss and sufficient decrease.
    async fn zoom<F, E>(
        mut self,
        evaluator: &mut Evaluator,
        objective: &mut F,
        mut low: Sample,
        mut high: Sample,
    ) -> Result<Outcome, LbfgsError<E>>
    where
        F: AsyncFnMut(&Array1<f64>) -> Result<Evaluation, E>,
    {
        loop {
            let width = (high.step - low.step).abs();
            if !(width > f64::EPSILON * low.step.abs().max(high.step.abs())) {
                let reason =
                    format!("the bracket [{}, {}] collapsed", low.step.min(high.step), low.step.max(high.step));
                return Ok(self.finish(false, reason));
            }
            let step = interpolate(low, high);
            let probe = self.probe(evaluator, objective, step).await?;
            let (sample, point) = match probe {
                Probe::Sample(sample, point) => (sample, point),
                Probe::OutOfBudget { global } => return Ok(self.finish(global, budget_reason(global))),
            };
            if !self.sufficient_decrease(sample.step, sample.loss) || sample.loss >= low.loss {
                high = sample;
            } else {
                if self.flat_enough(sample.slope) {
                    return Ok(Outcome::Accepted { point, step: sample.step });
                }
                if sample.slope * (high.step - low.step) >= 0.0 {
                    high = low;
                }
                low = sample;
            }
        }
    }
}

/// Why a line search ran out of evaluations.
fn budget_reason(global: bool) -> String {
    if global {
        "the evaluation budget is spent".to_owned()
    } else {
        format!("its {MAX_LINE_SEARCH_EVALUATIONS} evaluations found no step satisfying the strong Wolfe conditions")
    }
}

/// The minimiser of the cubic interpolating values and slopes at `a` and `b` (Nocedal &
/// Wright, eq. 3.59), if it exists and everything is finite.
fn cubic_minimizer(a: Sample, b: Sample) -> Option<f64> {
    let values = [a.step, a.loss, a.slope, b.step, b.loss, b.slope];
    if values.iter().any(|v| !v.is_finite()) || a.step == b.step {
        return None;
    }
    let d1 = a.slope + b.slope - 3.0 * (a.loss - b.loss) / (a.step - b.step);
    let discriminant = d1 * d1 - a.slope * b.slope;
    if !(discriminant >= 0.0) {
        return None;
    }
    let d2 = discriminant.sqrt().copysign(b.step - a.step);
    let denominator = b.slope - a.slope + 2.0 * d2;
    if denominator == 0.0 {
        return None;
    }
    let step = b.step - (b.step - a.step) * (b.slope + d2 - d1) / denominator;
    step.is_finite().then_some(step)
}

/// A trial step inside the bracket: the cubic minimiser when it is well inside, else the
/// midpoint (bisection).
fn interpolate(low: Sample, high: Sample) -> f64 {
    let (left, right) = (low.step.min(high.step), low.step.max(high.step));
    let margin = SAFEGUARD * (right - left);
    match cubic_minimizer(low, high) {
        Some(step) if step >= left + margin && step <= right - margin => step,
        _ => 0.5 * (low.step + high.step),
    }
}

/// The next, longer trial step while the loss still decreases steeply: the cubic minimiser
/// limited to between one and [`MAX_EXTRAPOLATION`] advances beyond `current`.
fn extrapolate(previous: Sample, current: Sample) -> f64 {
    let advance = current.step - previous.step;
    let least = current.step + advance;
    let most = current.step + MAX_EXTRAPOLATION * advance;
    match cubic_minimizer(previous, current) {
        Some(step) => step.max(least).min(most),
        None => most,
    }
}

/// The L-BFGS direction `-H g` by the two-loop recursion (Nocedal & Wright, Algorithm 7.4),
/// with the initial Hessian `γ I`, `γ = s·y / y·y` of the newest pair.
fn two_loop(gradient: &Array1<f64>, memory: &VecDeque<Correction>) -> Array1<f64> {
    let mut q = gradient.clone();
    let mut alphas = Vec::with_capacity(memory.len());
    for pair in memory.iter().rev() {
        let alpha = pair.rho * dot(&pair.s, &q);
        axpy(&mut q, -alpha, &pair.y);
        alphas.push(alpha);
    }
    if let Some(newest) = memory.back() {
        let gamma = dot(&newest.s, &newest.y) / dot(&newest.y, &newest.y);
        for v in q.iter_mut() {
            *v *= gamma;
        }
    }
    for (pair, alpha) in memory.iter().zip(alphas.iter().rev()) {
        let beta = pair.rho * dot(&pair.y, &q);
        axpy(&mut q, alpha - beta, &pair.s);
    }
    for v in q.iter_mut() {
        *v = -*v;
    }
    q
}

/// `target += alpha · x`.
fn axpy(target: &mut Array1<f64>, alpha: f64, x: &Array1<f64>) {
    for (t, v) in target.iter_mut().zip(x.iter()) {
        *t += alpha * v;
    }
}

/// `a · b`, summed in index order (deterministic).
fn dot(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    a.iter().zip(b.iter()).fold(0.0, |sum: f64, (a, b)| sum + a * b)
}

/// `a − b`.
fn difference(a: &Array1<f64>, b: &Array1<f64>) -> Array1<f64> {
    a.iter().zip(b.iter()).map(|(a, b)| a - b).collect()
}

/// `−v`.
fn negated(v: &Array1<f64>) -> Array1<f64> {
    v.iter().map(|v| -v).collect()
}

/// `‖v‖∞` (0 for an empty vector).
fn norm_inf(v: &Array1<f64>) -> f64 {
    v.iter().fold(0.0, |max: f64, x| max.max(x.abs()))
}

/// `‖v‖₂`, scaled by `‖v‖∞` so that large gradients do not overflow.
fn norm2(v: &Array1<f64>) -> f64 {
    let scale = norm_inf(v);
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale
        * v.iter()
            .fold(0.0, |sum: f64, x| {
                let r = x / scale;
                sum + r * r
            })
            .sqrt()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    fn vector(values: &[f64]) -> Array1<f64> {
        Array1::from_vec(values.to_vec())
    }

    fn max_distance(a: &Array1<f64>, b: &[f64]) -> f64 {
        a.iter().zip(b).fold(0.0, |max: f64, (a, b)| max.max((a - b).abs()))
    }

    /// `½ (x − c)ᵀ A (x − c)` with `A = Q diag(1, 3, 10, 30, 100) Qᵀ`, `Q` a Householder
    /// reflection: condition number 100, minimum 0 at `c`.
    struct Quadratic {
        matrix: Vec<Vec<f64>>,
        center: Vec<f64>,
    }

    impl Quadratic {
        fn new() -> Self {
            let eigenvalues = [1.0, 3.0, 10.0, 30.0, 100.0];
            let v = [1.0, 2.0, -1.0, 0.5, 3.0];
            let vv: f64 = v.iter().map(|x| x * x).sum();
            let q: Vec<Vec<f64>> = (0..5_usize)
                .map(|i| {
                    (0..5_usize).map(|j| f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j] / vv).collect::<Vec<f64>>()
                })
                .collect();
            let matrix: Vec<Vec<f64>> = (0..5_usize)
                .map(|i| {
                    (0..5_usize)
                        .map(|j| (0..5_usize).map(|k| q[i][k] * eigenvalues[k] * q[j][k]).sum::<f64>())
                        .collect::<Vec<f64>>()
                })
                .collect();
            Self { matrix, center: vec![1.0, -2.0, 0.5, 3.0, -1.0] }
        }

        fn evaluate(&self, x: &Array1<f64>) -> Evaluation {
            let e: Vec<f64> = x.iter().zip(&self.center).map(|(x, c)| x - c).collect();
            let ae: Vec<f64> =
                self.matrix.iter().map(|row| row.iter().zip(&e).map(|(a, e)| a * e).sum::<f64>()).collect();
            let loss = 0.5 * e.iter().zip(&ae).map(|(e, a)| e * a).sum::<f64>();
            Evaluation { loss, gradient: Array1::from_vec(ae) }
        }
    }

    fn rosenbrock(x: &Array1<f64>) -> Evaluation {
        let (a, b) = (x[0], x[1]);
        let loss = 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
        let gradient = vector(&[-400.0 * a * (b - a * a) - 2.0 * (1.0 - a), 200.0 * (b - a * a)]);
        Evaluation { loss, gradient }
    }

    const FEATURES: [[f64; 2]; 10] = [
        [0.5, 1.0],
        [1.5, 2.0],
        [2.0, 0.5],
        [3.0, 1.5],
        [-1.0, -0.5],
        [-0.5, -1.5],
        [-2.0, 0.0],
        [0.8, -0.2],
        [0.2, 0.3],
        [-1.2, 1.0],
    ];
    const LABELS: [f64; 10] = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0];
    const L2: f64 = 0.1;

    fn sigmoid(z: f64) -> f64 {
        if z >= 0.0 {
            1.0 / (1.0 + (-z).exp())
        } else {
            let e = z.exp();
            e / (1.0 + e)
        }
    }

    /// Mean logistic loss of weights `w[0..2]` and intercept `w[2]`, plus `L2/2 ‖w[0..2]‖²`.
    fn logistic(w: &Array1<f64>) -> Evaluation {
        let n = FEATURES.len() as f64;
        let mut loss = 0.0;
        let mut gradient = [0.0; 3];
        for (f, y) in FEATURES.iter().zip(LABELS) {
            let z = w[0] * f[0] + w[1] * f[1] + w[2];
            loss += z.max(0.0) + (-z.abs()).exp().ln_1p() - y * z;
            let r = sigmoid(z) - y;
            gradient[0] += r * f[0];
            gradient[1] += r * f[1];
            gradient[2] += r;
        }
        loss = loss / n + 0.5 * L2 * (w[0] * w[0] + w[1] * w[1]);
        let gradient = vector(&[gradient[0] / n + L2 * w[0], gradient[1] / n + L2 * w[1], gradient[2] / n]);
        Evaluation { loss, gradient }
    }

    /// The logistic-regression minimiser by Newton's method with Gaussian elimination.
    fn newton_reference() -> [f64; 3] {
        let mut w = [0.0; 3];
        for _ in 0..50 {
            let g = logistic(&vector(&w)).gradient;
            let mut m = [[0.0; 4]; 3];
            for f in &FEATURES {
                let p = sigmoid(w[0] * f[0] + w[1] * f[1] + w[2]);
                let row = [f[0], f[1], 1.0];
                for i in 0..3 {
                    for j in 0..3 {
                        m[i][j] += p * (1.0 - p) * row[i] * row[j] / FEATURES.len() as f64;
                    }
                }
            }
            m[0][0] += L2;
            m[1][1] += L2;
            for i in 0..3 {
                m[i][3] = g[i];
            }
            for c in 0..3 {
                let pivot = (c..3).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())).unwrap();
                m.swap(c, pivot);
                for r in c + 1..3 {
                    let factor = m[r][c] / m[c][c];
                    for k in c..4 {
                        m[r][k] -= factor * m[c][k];
                    }
                }
            }
            let mut delta = [0.0; 3];
            for i in (0..3).rev() {
                let tail: f64 = (i + 1..3).map(|k| m[i][k] * delta[k]).sum();
                delta[i] = (m[i][3] - tail) / m[i][i];
            }
            for i in 0..3 {
                w[i] -= delta[i];
            }
            if delta.iter().all(|d| d.abs() < 1e-15) {
                break;
            }
        }
        w
    }

    #[tokio::test]
    async fn quadratic_converges_in_few_evaluations() {
        let problem = Quadratic::new();
        let options = LbfgsOptions { gradient_tolerance: 1e-9, function_tolerance: 0.0, ..LbfgsOptions::default() };
        let mut calls = 0;
        let mut reports = Vec::new();
        let minimum = minimize(
            Array1::zeros(5),
            &options,
            async |x: &Array1<f64>| {
                calls += 1;
                Ok::<_, Infallible>(problem.evaluate(x))
            },
            |report| reports.push(report.clone()),
        )
        .await
        .unwrap();
        assert_eq!(minimum.reason, StopReason::GradientTolerance);
        assert!(minimum.converged());
        assert!(max_distance(&minimum.x, &problem.center) < 1e-6, "{minimum:?}");
        assert!(minimum.evaluations < 30, "{} evaluations", minimum.evaluations);
        assert_eq!(calls, minimum.evaluations);
        assert_eq!(reports.len(), minimum.iterations);
        assert!(reports.iter().enumerate().all(|(i, report)| report.iteration == i + 1));
        assert!(reports.windows(2).all(|pair| pair[1].loss <= pair[0].loss));
    }

    #[tokio::test]
    async fn rosenbrock_converges_to_one_one() {
        let options = LbfgsOptions {
            gradient_tolerance: 1e-9,
            function_tolerance: 0.0,
            max_iterations: 500,
            max_evaluations: 500,
            ..LbfgsOptions::default()
        };
        let minimum = minimize(
            vector(&[-1.2, 1.0]),
            &options,
            async |x: &Array1<f64>| Ok::<_, Infallible>(rosenbrock(x)),
            |_| {},
        )
        .await
        .unwrap();
        assert!(minimum.converged(), "{minimum:?}");
        assert!(max_distance(&minimum.x, &[1.0, 1.0]) < 1e-4, "{minimum:?}");
    }

    #[tokio::test]
    async fn logistic_regression_matches_newton() {
        let reference = newton_reference();
        let options = LbfgsOptions { gradient_tolerance: 1e-8, function_tolerance: 0.0, ..LbfgsOptions::default() };
        let minimum =
            minimize(Array1::zeros(3), &options, async |w: &Array1<f64>| Ok::<_, Infallible>(logistic(w)), |_| {})
                .await
                .unwrap();
        assert_eq!(minimum.reason, StopReason::GradientTolerance);
        assert!(max_distance(&minimum.x, &reference) < 1e-6, "{minimum:?} vs {reference:?}");
        assert!((minimum.loss - logistic(&vector(&reference)).loss).abs() < 1e-12);
    }

    #[tokio::test]
    async fn runs_are_bitwise_deterministic() {
        async fn run() -> (Minimum, Vec<IterationReport>) {
            let mut reports = Vec::new();
            let minimum = minimize(
                vector(&[-1.2, 1.0]),
                &LbfgsOptions::default(),
                async |x: &Array1<f64>| Ok::<_, Infallible>(rosenbrock(x)),
                |report| reports.push(report.clone()),
            )
            .await
            .unwrap();
            (minimum, reports)
        }
        let (first, first_reports) = run().await;
        let (second, second_reports) = run().await;
        let bits = |x: &Array1<f64>| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&first.x), bits(&second.x));
        assert_eq!(first.loss.to_bits(), second.loss.to_bits());
        assert_eq!(first.evaluations, second.evaluations);
        assert_eq!(first.reason, second.reason);
        assert_eq!(first_reports.len(), second_reports.len());
        for (a, b) in first_reports.iter().zip(&second_reports) {
            assert_eq!(
                (a.loss.to_bits(), a.step.to_bits(), a.evaluations),
                (b.loss.to_bits(), b.step.to_bits(), b.evaluations)
            );
        }
    }

    #[tokio::test]
    async fn objective_errors_are_propagated() {
        let mut calls = 0;
        let result = minimize(
            vector(&[-1.2, 1.0]),
            &LbfgsOptions::default(),
            async |x: &Array1<f64>| {
                calls += 1;
                if calls == 3 { Err("cluster job failed".to_owned()) } else { Ok(rosenbrock(x)) }
            },
            |_| {},
        )
        .await;
        match result {
            Err(LbfgsError::Objective(message)) => assert_eq!(message, "cluster job failed"),
            other => panic!("expected the objective's error, got {other:?}"),
        }
        assert_eq!(calls, 3);
    }

    #[tokio::test]
    async fn max_evaluations_is_respected() {
        for budget in [0, 1, 2, 7, 20] {
            let mut calls = 0;
            let options = LbfgsOptions { max_evaluations: budget, ..LbfgsOptions::default() };
            let minimum = minimize(
                vector(&[-1.2, 1.0]),
                &options,
                async |x: &Array1<f64>| {
                    calls += 1;
                    Ok::<_, Infallible>(rosenbrock(x))
                },
                |_| {},
            )
            .await
            .unwrap();
            assert_eq!(minimum.reason, StopReason::MaxEvaluations, "budget {budget}");
            assert!(!minimum.converged());
            assert_eq!(minimum.evaluations, calls);
            assert!(calls <= budget, "{calls} evaluations for a budget of {budget}");
            if budget > 0 {
                assert!(minimum.loss <= rosenbrock(&vector(&[-1.2, 1.0])).loss);
            }
        }
    }

    #[tokio::test]
    async fn nan_at_start_is_not_finite() {
        let result = minimize(
            vector(&[1.0, 2.0]),
            &LbfgsOptions::default(),
            async |x: &Array1<f64>| Ok::<_, Infallible>(Evaluation { loss: f64::NAN, gradient: x.clone() }),
            |_| {},
        )
        .await;
        assert!(matches!(result, Err(LbfgsError::NotFinite { evaluation: 1, .. })), "{result:?}");
    }

    #[tokio::test]
    async fn nan_at_trial_points_shortens_the_step() {
        // Σ wᵢ (xᵢ − ln xᵢ), undefined for xᵢ ≤ 0, minimum at (1, 1).
        let weights = [1.0, 10.0];
        let objective = async |x: &Array1<f64>| {
            if x.iter().any(|v| *v <= 0.0) {
                return Ok::<_, Infallible>(Evaluation { loss: f64::NAN, gradient: vector(&[f64::NAN, f64::NAN]) });
            }
            let loss: f64 = x.iter().zip(weights).map(|(v, w)| w * (v - v.ln())).sum();
            let gradient: Array1<f64> = x.iter().zip(weights).map(|(v, w)| w * (1.0 - 1.0 / v)).collect();
            Ok(Evaluation { loss, gradient })
        };
        let minimum = minimize(vector(&[8.0, 3.0]), &LbfgsOptions::default(), objective, |_| {}).await.unwrap();
        assert!(minimum.converged(), "{minimum:?}");
        assert!(max_distance(&minimum.x, &[1.0, 1.0]) < 1e-5, "{minimum:?}");
    }

    #[tokio::test]
    async fn gradient_of_the_wrong_length_is_rejected() {
        let result = minimize(
            vector(&[1.0, 2.0]),
            &LbfgsOptions::default(),
            async |_: &Array1<f64>| Ok::<_, Infallible>(Evaluation { loss: 1.0, gradient: vector(&[1.0]) }),
            |_| {},
        )
        .await;
        assert!(matches!(result, Err(LbfgsError::DimensionMismatch { expected: 2, got: 1 })), "{result:?}");
    }
}
