//! `reviewlake ml`: features, training with evaluation, and the model registry.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::session;
use reviewlake_cluster::sql::{OutputFormat, format_batches};
use reviewlake_jobs::ml::{self, FeaturesJob, TrainJob, TuneJob};

use crate::args::MlAction;
use crate::output;

/// Runs the ML action and prints what it did (`ml list` / `ml show` as `format`).
pub(crate) async fn run(settings: &Settings, action: MlAction, format: OutputFormat) -> anyhow::Result<()> {
    let session = session::connect(settings).await?;
    let (ctx, lake) = (&session.ctx, &session.lake);
    match action {
        MlAction::Features { label, num_features, ngrams, test_fraction, seed } => {
            let metrics = FeaturesJob::new()
                .with_label_mode(label.into())
                .with_num_features(num_features)
                .with_ngrams(ngrams)
                .with_test_fraction(test_fraction)
                .with_seed(seed)
                .execute(ctx, lake)
                .await?;
            output::print_features(&metrics);
        }
        MlAction::Train { features_version, reg, max_iter, class_weight } => {
            let metrics = TrainJob::new()
                .with_features_version(features_version)
                .with_reg(reg)
                .with_max_iter(max_iter)
                .with_class_weight(class_weight.into())
                .execute(ctx, lake)
                .await?;
            output::print_trained(&metrics);
        }
        MlAction::Tune { folds, num_features, reg, max_iter, class_weight } => {
            let metrics = TuneJob::new()
                .with_folds(folds)
                .with_num_features(num_features)
                .with_regs(reg)
                .with_max_iter(max_iter)
                .with_class_weight(class_weight.into())
                .execute(ctx, lake)
                .await?;
            output::print_tuned(&metrics);
        }
        MlAction::List => {
            let models = ml::list_models(ctx, lake).await?;
            if models.iter().all(|b| b.num_rows() == 0) {
                println!("no models registered yet: `reviewlake ml train` trains one");
            } else {
                output::print_result(&format_batches(&models, format)?);
            }
        }
        MlAction::Show { id } => {
            let (model, metrics) = ml::show_model(ctx, lake, &id).await?;
            output::print_result(&format_batches(&model, format)?);
            output::print_result(&format_batches(&metrics, format)?);
        }
    }
    Ok(())
}
