#include "config/validate.h"

#include <sstream>

#include "config/split_spec.h"
#include "core/error.h"

namespace towerrec {
namespace {

// A double as a person writes it: 4, 0.5, 1e-07 (no trailing zeros).
std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Checks every field of a struct against its Check (the visit() table), as the loader does when
// it reads them; nested sections are not used by CfOptions.
class FieldChecker {
 public:
  FieldChecker(std::string prefix, std::vector<Violation>& out)
      : prefix_(std::move(prefix)), out_(out) {}

  template <class T>
  void field(const char* key, const T& value, const char* /*doc*/,
             const Check& check = Check::any()) {
    check_value(prefix_ + key, value, check);
  }
  template <class T>
  void section(const char* key, T& value, const char* /*doc*/) {
    FieldChecker sub(prefix_ + key + ".", out_);
    value.visit(sub);
  }

 private:
  void check_value(const std::string& key, const std::string& v, const Check& c) {
    if (c.choices.empty()) return;
    for (const auto& choice : c.choices)
      if (choice == v) return;
    out_.push_back({key, c.describe("a string"), quote_found(v), {}});
  }
  void check_number(const std::string& key, double v, const Check& c, const char* kind,
                    const std::string& found) {
    if ((c.min && (c.min_exclusive ? !(v > *c.min) : !(v >= *c.min))) || (c.max && !(v <= *c.max)))
      out_.push_back({key, c.describe(kind), found, {}});
  }
  void check_value(const std::string& key, double v, const Check& c) {
    check_number(key, v, c, "a number", number_text(v));
  }
  void check_value(const std::string& key, int64_t v, const Check& c) {
    check_number(key, static_cast<double>(v), c, "an integer", std::to_string(v));
  }
  void check_value(const std::string&, uint64_t, const Check&) {}
  template <class E, std::enable_if_t<is_option_enum<E>::value, int> = 0>
  void check_value(const std::string&, E, const Check&) {}  // an enum holds a valid name
  void check_value(const std::string&, bool, const Check&) {}
  template <class T>
  void check_value(const std::string&, const std::vector<T>&, const Check&) {}

  std::string prefix_;
  std::vector<Violation>& out_;
};

void cf_rules(const CfOptions& cf, std::vector<Violation>& out) {
  if (cf.solver == CfSolverKind::kGibbs && cf.burn_in >= cf.iterations)
    out.push_back(
        {"cf.burn_in",
         "a number < cf.iterations (" + std::to_string(cf.iterations) + ") with cf.solver: gibbs",
         std::to_string(cf.burn_in),
         {"cf.iterations", "cf.solver"}});
  if (cf.solver == CfSolverKind::kGibbs && cf.thin > cf.iterations - cf.burn_in)
    out.push_back({"cf.thin",
                   "a number <= cf.iterations - cf.burn_in (" +
                       std::to_string(cf.iterations - cf.burn_in) +
                       ") with cf.solver: gibbs, so that a sample is kept",
                   std::to_string(cf.thin),
                   {"cf.iterations", "cf.burn_in", "cf.solver"}});
  if (cf.binary && cf.solver != CfSolverKind::kAdam)
    out.push_back({"cf.solver",
                   "\"adam\" with cf.binary: true (als, gibbs and wals model squared error only)",
                   quote_found(enum_name(cf.solver)),
                   {"cf.binary"}});
  if (cf.item_bias && cf.solver != CfSolverKind::kAls && cf.solver != CfSolverKind::kGibbs)
    out.push_back({"cf.item_bias",
                   "cf.solver als or gibbs with cf.item_bias: true",
                   quote_found(enum_name(cf.solver)),
                   {"cf.solver"}});
  if (cf.item_features == CfItemFeatures::kContent && cf.binary)
    out.push_back({"cf.item_features",
                   "\"learned\" with cf.binary: true (content regression fits stars)",
                   "\"content\"",
                   {"cf.binary"}});
}

void train_rules(const RunOptions& opts, std::vector<Violation>& out) {
  const TrainOptions& t = opts.train;
  if (opts.model.rating_head == RatingHeadKind::kSeparate && t.loss != TrainLoss::kSoftmax)
    out.push_back({"train.loss",
                   "softmax when model.rating_head is separate (the rating towers train on the "
                   "mse by themselves)",
                   enum_name(t.loss),
                   {"model.rating_head"}});
  if (t.loss == TrainLoss::kJoint && t.rating_weight == 0 && t.softmax_weight == 0)
    out.push_back({"train.softmax_weight",
                   "a number > 0 when train.rating_weight is 0 (loss: joint)",
                   "0",
                   {"train.rating_weight", "train.loss"}});
  if (t.loss != TrainLoss::kMse && !(t.positive_min_rating >= opts.data.rating_min &&
                                     t.positive_min_rating <= opts.data.rating_max))
    out.push_back({"train.positive_min_rating",
                   "a rating in the data's scale [" + number_text(opts.data.rating_min) + ", " +
                       number_text(opts.data.rating_max) + "] (data.rating_min, data.rating_max)",
                   number_text(t.positive_min_rating),
                   {"data.rating_min", "data.rating_max", "train.loss"}});
}

}  // namespace

std::vector<Violation> validate(const RunOptions& opts) {
  std::vector<Violation> out;
  try {
    SplitSpec::parse(opts.data.split, "data.split");
  } catch (const UsageError&) {
    out.push_back({"data.split", kSplitGrammar, quote_found(opts.data.split), {}});
  }
  cf_rules(opts.cf, out);
  train_rules(opts, out);
  return out;
}

std::vector<Violation> validate(const CfOptions& cf) {
  std::vector<Violation> out;
  FieldChecker fields("cf.", out);
  const_cast<CfOptions&>(cf).visit(fields);
  cf_rules(cf, out);
  return out;
}

void throw_if_invalid(const CfOptions& cf, const std::string& who) {
  const std::vector<Violation> v = validate(cf);
  if (!v.empty())
    throw Error(who + ": " + v.front().key + ": expected " + v.front().expected + ", found " +
                v.front().found);
}

}  // namespace towerrec
