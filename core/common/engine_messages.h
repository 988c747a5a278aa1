#pragma once
// Every format of a refusal that the engine reports to a person, in one place: the CLI prints them
// in English, the workbench in the interface's language (message() in common/message.h fills the
// numbered places). lupdate reads ENGINE_MESSAGE as QT_TR_NOOP (app/CMakeLists.txt), so these
// land in the translation context "distillery::engine_messages".
#include "common/message.h"

namespace distillery::engine_messages {

// Values that are not what their key takes.
inline constexpr const char* kNotANumber = ENGINE_MESSAGE("{1} must be a number, not '{2}'");
inline constexpr const char* kNotAnInteger = ENGINE_MESSAGE("{1} must be an integer, not '{2}'");
inline constexpr const char* kNotTrueOrFalse = ENGINE_MESSAGE("{1} must be true or false, not '{2}'");
inline constexpr const char* kAtMost = ENGINE_MESSAGE("{1} must be at most {2}, not {3}");
inline constexpr const char* kBetween = ENGINE_MESSAGE("{1} must lie between {2} and {3}, not {4}");
inline constexpr const char* kUnknownMethod = ENGINE_MESSAGE("method must be mtt, tesla or datm, not '{1}'");
inline constexpr const char* kUnknownGradientMode = ENGINE_MESSAGE("unknown gradient mode '{1}' (use unrolled, tesla or exact)");
inline constexpr const char* kUnknownHyperparameter = ENGINE_MESSAGE("unknown hyperparameter '{1}'");

// Hyperparameters that do not fit together.
inline constexpr const char* kPositive = ENGINE_MESSAGE("{1} must be positive");
inline constexpr const char* kNotNegative = ENGINE_MESSAGE("{1} must not be negative");
inline constexpr const char* kStartWindowEmpty = ENGINE_MESSAGE("max_start_epoch must be greater than min_start_epoch");
inline constexpr const char* kGrowingWindowOutside = ENGINE_MESSAGE("current_max_start_epoch must lie in (min_start_epoch, max_start_epoch] = ({1}, {2}], not {3}");
inline constexpr const char* kMomentum = ENGINE_MESSAGE("momentum must lie in [0, 1)");
inline constexpr const char* kBatchSynNegative = ENGINE_MESSAGE("batch_syn must not be negative (0 means all images)");
inline constexpr const char* kThreshold = ENGINE_MESSAGE("threshold must be positive (inf turns it off)");
inline constexpr const char* kLrMaxPositive = ENGINE_MESSAGE("lr_max must be positive (auto: {1} x lr_teacher; inf: off)");
inline constexpr const char* kLrMaxBelowTeacher = ENGINE_MESSAGE("lr_max must not be below lr_teacher");
inline constexpr const char* kLrMaxNotAboveFloor = ENGINE_MESSAGE("lr_max must be above lr_floor");
inline constexpr const char* kLrFloorPositive =
    ENGINE_MESSAGE("lr_floor must be positive or off: a student lr of 0 or below learns nothing, and evaluation refuses it");

// Changes a run cannot take.
inline constexpr const char* kFixedDuringRun = ENGINE_MESSAGE("{1} cannot change during a run (it shapes the synthetic set); start a new run");
inline constexpr const char* kBeyondTheExperts = ENGINE_MESSAGE("max_start_epoch + expert_epochs would be {1}; the experts have {2} epochs");

}  // namespace distillery::engine_messages
