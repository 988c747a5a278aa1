#include "workbench/run_loader.h"

#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "common/numbers.h"
#include "config/settings.h"
#include "data/transform.h"
#include "distill/checkpoint.h"
#include "distill/run.h"
#include "distill/run_outputs.h"
#include "distill/synthetic_set.h"
#include "workbench/view_records.h"

namespace distillery::ui {
namespace {

// What `distillery-cli distill --out DIR` writes, and the workbench's run folders hold.
const QString kMetricsFile = QString::fromLatin1(kMetricsName);
const QString kSyntheticFile = QString::fromLatin1(kSyntheticName);
const QString kSettingsFile = QString::fromLatin1(kSettingsName);
const QString kCheckpointFile = QStringLiteral("checkpoint.dckpt");

QString qs(const std::string& s) { return QString::fromStdString(s); }

// A flaw in metrics.csv, with the line it is on.
struct CsvError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct CsvRecord {
    int line = 0;  // the line the record starts on, 1-based
    std::vector<std::string> fields;
};

// The records of CSV text as MetricsLog writes it (RFC 4180): a field holding a comma, a quote or a
// newline is quoted, with its quotes doubled. The evaluation of the random real baseline, for one,
// is named "random real, hard labels".
std::vector<CsvRecord> csv_records(const std::string& text) {
    std::vector<CsvRecord> records;
    CsvRecord record{1, {}};
    std::string field;
    int line = 1;
    bool quoted = false, was_quoted = false;
    const auto end_field = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') ++line;
        if (quoted) {
            if (c != '"') field += c;
            else if (i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
            else quoted = false;
            continue;
        }
        if (c == '"') {
            if (!field.empty() || was_quoted) throw CsvError("line " + std::to_string(line) + ": a quote inside a field");
            quoted = was_quoted = true;
        } else if (c == ',') {
            end_field();
        } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
            if (c == '\r') continue;
            end_field();
            records.push_back(std::move(record));
            record = {line, {}};
        } else {
            if (was_quoted) throw CsvError("line " + std::to_string(line) + ": text after a quoted field");
            field += c;
        }
    }
    if (quoted) throw CsvError("line " + std::to_string(record.line) + ": a quoted field is never closed");
    if (!field.empty() || was_quoted || !record.fields.empty()) {
        end_field();
        records.push_back(std::move(record));
    }
    return records;
}

// The columns of metrics.csv that the comparison reads, found by name: the CLI writes the union of
// its rows' keys, in the order they first appear, so their places vary from file to file.
class MetricsColumns {
public:
    explicit MetricsColumns(const std::vector<std::string>& header) {
        for (std::size_t i = 0; i < header.size(); ++i) index_.emplace(header[i], i);
        if (!index_.count("kind") || !index_.count("iteration"))
            throw CsvError("line 1: no 'kind' and 'iteration' columns, so this is not the metrics file of a run");
    }

    bool has(const char* name) const { return index_.count(name) > 0; }
    const std::string& text(const CsvRecord& r, const char* name) const {
        static const std::string none;
        const auto it = index_.find(name);
        return it == index_.end() ? none : r.fields[it->second];
    }
    // A number the row must have. "nan" and "inf" are numbers here: a step's loss can be either.
    double number(const CsvRecord& r, const char* name) const {
        const auto v = parse_double(required(r, name));
        if (!v) throw bad_value(r, name);
        return *v;
    }
    qint64 integer(const CsvRecord& r, const char* name) const {
        const auto v = parse_int(required(r, name));
        if (!v) throw bad_value(r, name);
        return *v;
    }
    // A column that older files or other rows may lack: `fallback` then.
    qint64 integer_or(const CsvRecord& r, const char* name, qint64 fallback) const {
        return text(r, name).empty() ? fallback : integer(r, name);
    }
    double number_or(const CsvRecord& r, const char* name, double fallback) const {
        return text(r, name).empty() ? fallback : number(r, name);
    }

private:
    const std::string& required(const CsvRecord& r, const char* name) const {
        if (!has(name)) throw CsvError(std::string("line 1: no '") + name + "' column");
        const std::string& s = text(r, name);
        if (s.empty()) throw CsvError("line " + std::to_string(r.line) + ": no " + name);
        return s;
    }
    CsvError bad_value(const CsvRecord& r, const char* name) const {
        return CsvError("line " + std::to_string(r.line) + ": " + name + " '" + text(r, name) + "' is not a number");
    }

    std::map<std::string, std::size_t> index_;
};

// metrics.csv's steps and its ConvNet evaluations of the synthetic set into `run`; throws CsvError.
void read_metrics(const std::string& text, RunCurves& run) {
    const auto records = csv_records(text);
    if (records.empty()) throw CsvError("the file is empty");
    const MetricsColumns columns(records.front().fields);
    const std::size_t width = records.front().fields.size();
    for (std::size_t i = 1; i < records.size(); ++i) {
        const CsvRecord& r = records[i];
        if (r.fields.size() == 1 && r.fields.front().empty()) continue;  // a blank line
        if (r.fields.size() != width)
            throw CsvError("line " + std::to_string(r.line) + ": " + std::to_string(r.fields.size()) +
                           " fields where the header has " + std::to_string(width));
        const std::string& kind = columns.text(r, "kind");
        if (kind == "step" && !columns.text(r, "guard").empty()) {
            run.guard_iteration = columns.integer(r, "iteration");
            run.guard = qs(columns.text(r, "guard"));
        } else if (kind == "step") {
            StepPoint p;
            p.iteration = columns.integer(r, "iteration");
            p.loss = columns.number(r, "loss");
            p.lr = columns.number(r, "lr");
            p.start_epoch = columns.integer_or(r, "start_epoch", 0);
            p.syn_steps = columns.integer_or(r, "syn_steps", 0);
            p.mode = qs(columns.text(r, "mode"));
            p.seconds = columns.number_or(r, "seconds", 0);
            p.peak_bytes = columns.integer_or(r, "peak_bytes", -1);
            p.updated = columns.text(r, "updated") != "0";
            run.steps.append(p);
        } else if (kind == "eval" && columns.text(r, "set") == "synthetic" &&
                   (columns.text(r, "arch").empty() || columns.text(r, "arch") == "convnet")) {
            // The curve is the ConvNet's; evaluations on other networks stay in the file.
            EvalPoint e;
            e.iteration = columns.integer(r, "iteration");
            e.mean = columns.number(r, "accuracy_mean");
            e.std = columns.number(r, "accuracy_std");
            e.what = QStringLiteral("synthetic");
            run.evaluations.append(e);
        }
    }
}

// The data settings that decide a transform: what prepare_from_settings reads. Runs that agree
// on these share one transform.
using DataKey = std::tuple<std::string, std::int64_t, std::int64_t, bool>;
DataKey data_key(const Settings& s) {
    return {s.text("dataset", "fashion-mnist"), s.integer("train_per_class", 0), s.integer("seed", 0), s.flag("zca", false)};
}

// The class each image was made for. Soft labels do not say it, but every synthetic set is laid
// out class by class (ipc images of class 0, then of class 1, ...), as DistillRun and the
// reference code make them; a set that does not divide into the classes falls back on its largest
// label.
at::Tensor made_for_classes(const at::Tensor& labels, std::int64_t count) {
    if (labels.dim() == 1) return labels;
    const auto num_classes = labels.size(1);
    if (num_classes > 0 && count % num_classes == 0)
        return torch::arange(count, torch::kInt64).div(count / num_classes, "floor");
    return labels.argmax(1);
}

// Throws when `images` are not a batch of images of the data's shape.
void check_shape(const at::Tensor& images, const std::string& data_name, std::int64_t channels, std::int64_t height,
                 std::int64_t width) {
    if (images.dim() != 4)
        throw std::runtime_error(RunLoader::tr("its images have %1 dimensions instead of 4").arg(images.dim()).toStdString());
    if (images.size(1) != channels || images.size(2) != height || images.size(3) != width)
        throw std::runtime_error(RunLoader::tr("its images are %1×%2×%3, but %4's are %5×%6×%7")
                                     .arg(images.size(1)).arg(images.size(2)).arg(images.size(3))
                                     .arg(qs(data_name)).arg(channels).arg(height).arg(width)
                                     .toStdString());
}

}  // namespace

// The transform and what the .dsyn is checked against, per data key. Only the transform is kept:
// the prepared data itself (both splits in model space) would be hundreds of MB for CIFAR.
struct RunLoader::Transforms {
    struct Data {
        std::string name;
        std::vector<std::string> classes;
        std::int64_t channels = 0, height = 0, width = 0;
        InputTransform transform;
    };
    std::map<DataKey, Data> built;

    const Data& of(const Settings& s) {
        const DataKey key = data_key(s);
        const auto it = built.find(key);
        if (it != built.end()) return it->second;
        const PreparedData prepared = prepare_from_settings(s, "cpu");
        Data d{prepared.name, prepared.classes, prepared.channels(), prepared.height(), prepared.width(), prepared.transform};
        return built.emplace(key, std::move(d)).first->second;
    }
};

RunLoader::RunLoader() : transforms_(std::make_unique<Transforms>()) {}
RunLoader::~RunLoader() = default;

bool RunLoader::isRunFolder(const QString& folder) {
    const QDir dir(folder);
    for (const QString& file : {kMetricsFile, kSyntheticFile, kCheckpointFile})
        if (QFileInfo(dir.filePath(file)).isFile()) return true;
    return false;
}

QStringList RunLoader::runFolders(const QString& path) {
    const QFileInfo given(path);
    if (given.isFile()) return {QDir::cleanPath(given.absolutePath())};
    if (!given.isDir()) return {path};
    const QString folder = QDir::cleanPath(given.absoluteFilePath());
    if (isRunFolder(folder)) return {folder};
    QStringList runs;
    const QDir dir(folder);
    for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (isRunFolder(dir.filePath(name))) runs << QDir::cleanPath(dir.filePath(name));
    return runs.isEmpty() ? QStringList{folder} : runs;
}

RunCurves RunLoader::load(const QString& folder_or_checkpoint) {
    const QFileInfo given(folder_or_checkpoint);
    const QDir dir(given.isDir() ? given.absoluteFilePath() : given.absolutePath());
    RunCurves run;
    run.folder = QDir::cleanPath(dir.absolutePath());
    run.name = QFileInfo(run.folder).fileName();
    const QString metrics = dir.filePath(kMetricsFile), synthetic = dir.filePath(kSyntheticFile),
                  checkpoint = dir.filePath(kCheckpointFile);
    const bool has_metrics = QFileInfo(metrics).isFile(), has_synthetic = QFileInfo(synthetic).isFile(),
               has_checkpoint = QFileInfo(checkpoint).isFile();
    if (!given.exists()) {
        run.problems << tr("%1 does not exist").arg(folder_or_checkpoint);
        return run;
    }
    if (!isRunFolder(run.folder)) {
        run.problems << tr("%1 is not a run folder: it has no %2, %3 or %4")
                            .arg(run.folder, kMetricsFile, kSyntheticFile, kCheckpointFile);
        return run;
    }

    if (has_metrics) {
        readMetrics(metrics, run);
    } else if (has_checkpoint) {
        // A run saved before its folder held metrics.csv: its steps are in the checkpoint (its
        // evaluations are not).
        try {
            for (const auto& record : read_checkpoint_history(checkpoint.toStdString())) run.steps << step_point(record);
        } catch (const std::exception& e) {
            run.problems << tr("%1: no %2, and its %3 cannot be read: %4").arg(run.folder, kMetricsFile, kCheckpointFile, qs(e.what()));
        }
    } else {
        run.problems << tr("%1: no %2, so no curves").arg(run.folder, kMetricsFile);
    }

    if (!has_synthetic) run.problems << tr("%1: no %2, so no images").arg(run.folder, kSyntheticFile);
    else readSynthetic(run.folder, run);

    if (!run.hasData() && run.problems.isEmpty())
        run.problems << tr("%1: no distillation steps, evaluations or images to show").arg(run.folder);
    return run;
}

bool RunLoader::readMetrics(const QString& metrics, RunCurves& run) {
    run.steps.clear();
    run.evaluations.clear();
    QFile file(metrics);
    if (!file.open(QIODevice::ReadOnly)) {
        run.problems << tr("%1: cannot be read (%2)").arg(metrics, file.errorString());
        return false;
    }
    try {
        read_metrics(file.readAll().toStdString(), run);
        return true;
    } catch (const std::exception& e) {
        // A file that is half good shows nothing rather than a curve cut short unnoticed.
        run.steps.clear();
        run.evaluations.clear();
        run.problems << tr("%1 is not a valid metrics file: %2").arg(metrics, qs(e.what()));
        return false;
    }
}

bool RunLoader::readSynthetic(const QString& folder, RunCurves& run) {
    const QDir dir(folder);
    const QString synthetic = dir.filePath(kSyntheticFile), settings = dir.filePath(kSettingsFile),
                  checkpoint = dir.filePath(kCheckpointFile);
    try {
        const SyntheticSet set = load_synthetic_set(synthetic.toStdString());
        // The run's settings name its data, whose transform maps the images back to pixels.
        Settings s;
        if (QFileInfo(settings).isFile()) s = load_preset(settings.toStdString());
        else if (QFileInfo(checkpoint).isFile())
            s = Settings::parse(read_checkpoint_info(checkpoint.toStdString()).settings_text,
                                checkpoint.toStdString() + " (the run's settings)");
        else throw std::runtime_error(tr("no %1 or %2 says which data the images are of").arg(kSettingsFile, kCheckpointFile).toStdString());
        const auto& data = transforms_->of(s);
        const auto& images = set.images;
        check_shape(images, data.name, data.channels, data.height, data.width);
        const auto info = [&](const char* key) {
            const auto it = set.info.find(key);
            return it == set.info.end() ? QString() : qs(it->second);
        };
        if (!info("transform").isEmpty() && info("transform") != qs(data.transform.describe()))
            throw std::runtime_error(tr("its images are %1 data, but the run's settings give %2 data")
                                         .arg(info("transform"), qs(data.transform.describe()))
                                         .toStdString());
        const auto num_classes = static_cast<std::int64_t>(data.classes.size());
        if ((set.labels.dim() == 2 && set.labels.size(1) != num_classes) ||
            (set.labels.dim() == 1 && images.size(0) > 0 &&
             (set.labels.min().item<std::int64_t>() < 0 || set.labels.max().item<std::int64_t>() >= num_classes)))
            throw std::runtime_error(tr("its labels do not fit the %1 classes of %2").arg(num_classes).arg(qs(data.name)).toStdString());
        const QString label_kind = !info("label_mode").isEmpty() ? info("label_mode") : set.labels.dim() == 1 ? "hard" : "soft";
        run.images = display_images(images, made_for_classes(set.labels, images.size(0)), set.labels, data.transform,
                                    data.classes, label_kind, info("iteration").toLongLong());
        return true;
    } catch (const std::exception& e) {
        // Core's errors name their file already; ours (and LibTorch's) get it put in front.
        const QString what = qs(e.what());
        run.problems << (what.startsWith(synthetic) || what.startsWith(settings) || what.startsWith(checkpoint)
                             ? tr("Images not shown: %1").arg(what)
                             : tr("Images not shown: %1: %2").arg(synthetic, what));
        return false;
    }
}

RunCurves RunLoader::loadCheckpoint(const QString& checkpoint) {
    const QFileInfo file(checkpoint);
    RunCurves run;
    run.folder = QDir::cleanPath(file.absolutePath());
    run.name = QFileInfo(run.folder).fileName();
    CheckpointInfo info;
    DistillRunState state;
    try {
        state = read_checkpoint_state(checkpoint.toStdString(), info);
    } catch (const std::exception& e) {
        run.problems << qs(e.what());  // names the file
        return run;
    }
    run.steps.reserve(static_cast<qsizetype>(state.history.size()));
    for (const auto& record : state.history) run.steps << step_point(record);
    run.changes = change_marks(state.changes);
    run.iteration = state.iteration;
    run.iterations = state.config.iterations;
    run.hyperparameters = panel_values(state.config);
    try {
        const Settings s = Settings::parse(info.settings_text, info.path + " (the run's settings)");
        const auto& data = transforms_->of(s);
        check_shape(state.images, data.name, data.channels, data.height, data.width);
        const auto num_classes = static_cast<std::int64_t>(data.classes.size());
        const auto& made_for = state.hard_labels;
        if (made_for.dim() != 1 || made_for.size(0) != state.images.size(0) ||
            (made_for.numel() > 0 && (made_for.min().item<std::int64_t>() < 0 || made_for.max().item<std::int64_t>() >= num_classes)))
            throw std::runtime_error(tr("its labels do not fit the %1 classes of %2").arg(num_classes).arg(qs(data.name)).toStdString());
        // The labels the run trains with, as DistillRun::label_targets() gives them; a teacher's
        // soft labels exist from the first step on, so before it the classes show one-hot.
        at::Tensor targets = made_for;
        if (state.config.labels == LabelMode::Learned && state.label_logits.defined()) targets = torch::softmax(state.label_logits, 1);
        else if (state.config.labels == LabelMode::Teacher && state.teacher_targets.defined()) targets = state.teacher_targets;
        if (targets.dim() == 2 && targets.size(1) != num_classes)
            throw std::runtime_error(tr("its labels do not fit the %1 classes of %2").arg(num_classes).arg(qs(data.name)).toStdString());
        run.images = display_images(state.images, made_for, targets, data.transform, data.classes, qs(to_string(state.config.labels)),
                                    state.iteration);
    } catch (const std::exception& e) {
        const QString what = qs(e.what());
        run.problems << (what.startsWith(checkpoint) ? tr("Images not shown: %1").arg(what) : tr("Images not shown: %1: %2").arg(checkpoint, what));
    }
    return run;
}

}  // namespace distillery::ui
