#include "data/demographics_builder.h"

#include <cmath>
#include <unordered_map>

#include "core/error.h"
#include "data/delimited_reader.h"
#include "data/field_parser.h"
#include "data/text_encoding.h"

namespace towerrec {

DemographicsBuilder::DemographicsBuilder(std::vector<std::string> names, std::vector<Kind> kinds,
                                         Text text)
    : names_(std::move(names)), kinds_(std::move(kinds)), text_(text) {
  TOWERREC_CHECK(names_.size() == kinds_.size());
}

void DemographicsBuilder::add(int32_t user, const DelimitedReader& r,
                              const std::vector<size_t>& cols) {
  if (static_cast<size_t>(user) >= line_of_user_.size()) line_of_user_.resize(user + 1, 0);
  if (line_of_user_[user] != 0) {
    r.fail("user " + std::string(r[0]) + " is listed twice (first at line " +
           std::to_string(line_of_user_[user]) + ")");
  }
  line_of_user_[user] = r.line();
  Row row{user, r.line(), {}};
  row.values.reserve(names_.size());
  for (size_t c = 0; c < names_.size(); ++c) {
    const std::string_view v = r[cols[c]];
    if (kinds_[c] == Kind::kNumeric && !v.empty()) {
      float x;
      if (!parse_float(v, &x)) {
        double d;
        r.field_error(cols[c], names_[c].c_str(),
                      parse_double(v, &d) ? "a finite number within float range (|x| <= 3.4e38)"
                                          : "a finite number");
      }
    }
    if (text_ == Text::kLatin1) {
      row.values.push_back(latin1_to_utf8(v));
    } else {
      row.values.emplace_back(r.utf8(cols[c], names_[c].c_str()));
    }
  }
  rows_.push_back(std::move(row));
}

UserMeta DemographicsBuilder::build(int32_t num_users) const {
  UserMeta meta;
  for (size_t c = 0; c < names_.size(); ++c) {
    DemographicColumn col;
    col.name = names_[c];
    bool numeric = kinds_[c] == Kind::kNumeric;
    if (kinds_[c] == Kind::kAuto) {
      numeric = true;
      // Numeric only if every value fits the float column (else "1e39" would become infinity).
      float x;
      for (const Row& row : rows_) {
        if (!row.values[c].empty() && !parse_float(row.values[c], &x)) {
          numeric = false;
          break;
        }
      }
    }
    col.categorical = !numeric;
    if (numeric) {
      col.numeric.assign(static_cast<size_t>(num_users), std::nanf(""));
      for (const Row& row : rows_) {
        float x;
        if (!row.values[c].empty() && parse_float(row.values[c], &x)) {
          col.numeric[row.user] = x;
        }
      }
    } else {
      col.code.assign(static_cast<size_t>(num_users), -1);
      std::unordered_map<std::string, int32_t> index;
      for (const Row& row : rows_) {
        if (row.values[c].empty()) continue;
        auto [it, inserted] =
            index.emplace(row.values[c], static_cast<int32_t>(col.categories.size()));
        if (inserted) col.categories.push_back(row.values[c]);
        col.code[row.user] = it->second;
      }
    }
    meta.columns.push_back(std::move(col));
  }
  return meta;
}

}  // namespace towerrec
