#include "agents/onpolicy/ppo_loss.h"

#include <algorithm>
#include <cmath>
#include <torch/torch.h>

namespace pavlov::agents {
namespace {
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // 0.5 * log(2 pi)
}

std::pair<torch::Tensor, torch::Tensor> log_prob_entropy(const torch::Tensor& out, const torch::Tensor& log_std,
                                                         const torch::Tensor& actions, bool continuous) {
  if (continuous) {
    const torch::Tensor z = (actions - out) * torch::exp(-log_std);
    const torch::Tensor log_prob = (-0.5 * z * z - log_std - kHalfLog2Pi).sum(1);
    const torch::Tensor entropy = (0.5 + kHalfLog2Pi + log_std).sum().expand({out.size(0)});
    return {log_prob, entropy};
  }
  const torch::Tensor logp = torch::log_softmax(out, 1);
  const torch::Tensor log_prob = logp.gather(1, actions.unsqueeze(1)).squeeze(1);
  const torch::Tensor entropy = -(logp.exp() * logp).sum(1);
  return {log_prob, entropy};
}

torch::Tensor ppo_loss(const torch::Tensor& out, const torch::Tensor& log_std, const torch::Tensor& values,
                       const PpoBatch& b, const PpoLossOptions& o, PpoStats& stats) {
  const auto [log_prob, entropy] = log_prob_entropy(out, log_std, b.actions, o.continuous);
  const torch::Tensor log_ratio = log_prob - b.old_log_prob;
  const torch::Tensor ratio = torch::exp(log_ratio);
  const torch::Tensor policy_loss =
      -torch::min(b.advantages * ratio, b.advantages * torch::clamp(ratio, 1.0 - o.clip_range, 1.0 + o.clip_range)).mean();
  const torch::Tensor pred =
      o.clip_range_vf > 0 ? b.old_values + torch::clamp(values - b.old_values, -o.clip_range_vf, o.clip_range_vf) : values;
  const torch::Tensor value_loss = (b.returns - pred).pow(2).mean();
  const torch::Tensor entropy_mean = entropy.mean();
  {  // one read of all five (on a GPU each read waits for it)
    torch::NoGradGuard no_grad;
    const torch::Tensor all =
        torch::stack({policy_loss.to(torch::kFloat64), value_loss.to(torch::kFloat64), entropy_mean.to(torch::kFloat64),
                      ((ratio - 1) - log_ratio).mean().to(torch::kFloat64),
                      ((ratio - 1).abs() > o.clip_range).to(torch::kFloat64).mean()})
            .to(torch::kCPU);
    const double* v = all.data_ptr<double>();
    stats.policy_loss = v[0];
    stats.value_loss = v[1];
    stats.entropy = v[2];
    stats.approx_kl = v[3];
    stats.clip_fraction = v[4];
  }
  return policy_loss - o.ent_coef * entropy_mean + o.vf_coef * value_loss;
}

void ppo_loss_grad(const torch::Tensor& out_t, const torch::Tensor& log_std_t, const torch::Tensor& values_t,
                   const PpoBatch& b, const PpoLossOptions& o, PpoStats& stats, torch::Tensor& d_out_t,
                   torch::Tensor& d_values_t, torch::Tensor& d_log_std_t) {
  const std::int64_t n = out_t.size(0), k = out_t.size(1);
  const float* out = out_t.data_ptr<float>();
  const float* values = values_t.data_ptr<float>();
  const float* old_lp = b.old_log_prob.data_ptr<float>();
  const float* old_v = b.old_values.data_ptr<float>();
  const float* adv = b.advantages.data_ptr<float>();
  const float* ret = b.returns.data_ptr<float>();
  float* d_out = d_out_t.data_ptr<float>();
  float* d_values = d_values_t.data_ptr<float>();
  const float inv_n = 1.0f / static_cast<float>(n);
  const float lo = static_cast<float>(1.0 - o.clip_range), hi = static_cast<float>(1.0 + o.clip_range);
  const float ent_coef = static_cast<float>(o.ent_coef), vf_coef = static_cast<float>(o.vf_coef);
  const float cvf = static_cast<float>(o.clip_range_vf);

  // Per-row log pi(a|s) and its gradient with respect to the head's outputs
  // (written into d_out, scaled by d loss / d log pi below).
  double pg = 0, vl = 0, ent = 0, kl = 0, clipped = 0;
  const float* log_std = o.continuous ? log_std_t.data_ptr<float>() : nullptr;
  float* d_log_std = o.continuous ? d_log_std_t.data_ptr<float>() : nullptr;
  double entropy_row = 0;  // continuous: the same for every row
  if (o.continuous) {
    for (std::int64_t j = 0; j < k; ++j) {
      entropy_row += 0.5 + kHalfLog2Pi + log_std[j];
      d_log_std[j] = -ent_coef;  // d(-ent_coef * mean entropy) / d log_std_j
    }
  }
  const float* acts_f = o.continuous ? b.actions.data_ptr<float>() : nullptr;
  const std::int64_t* acts_i = o.continuous ? nullptr : b.actions.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = out + i * k;
    float* drow = d_out + i * k;
    float lp = 0.0f;
    if (o.continuous) {
      for (std::int64_t j = 0; j < k; ++j) {
        const float z = (acts_f[i * k + j] - row[j]) * std::exp(-log_std[j]);
        lp += -0.5f * z * z - log_std[j] - static_cast<float>(kHalfLog2Pi);
      }
      ent += entropy_row;
    } else {
      float m = row[0];
      for (std::int64_t j = 1; j < k; ++j) m = std::max(m, row[j]);
      float s = 0.0f;
      for (std::int64_t j = 0; j < k; ++j) s += std::exp(row[j] - m);
      const float lse = m + std::log(s);
      float h = 0.0f;
      for (std::int64_t j = 0; j < k; ++j) {
        const float logp = row[j] - lse, p = std::exp(logp);
        h -= p * logp;
        drow[j] = p;  // keep p_j for the gradients below
      }
      lp = row[acts_i[i]] - lse;
      ent += h;
      // d(-ent_coef * H / n) / d logit_j = ent_coef / n * p_j (log p_j + H)
      for (std::int64_t j = 0; j < k; ++j) {
        const float p = drow[j];
        drow[j] = ent_coef * inv_n * p * ((row[j] - lse) + h);
      }
    }
    const float log_ratio = lp - old_lp[i];
    const float ratio = std::exp(log_ratio);
    const float a = adv[i];
    const float unclipped = a * ratio, clip_r = a * std::clamp(ratio, lo, hi);
    pg -= std::min(unclipped, clip_r);
    kl += (ratio - 1.0f) - log_ratio;
    clipped += std::abs(ratio - 1.0f) > static_cast<float>(o.clip_range);
    // d policy_loss / d log pi: the unclipped term carries the gradient when it is the minimum.
    const float g = unclipped <= clip_r ? -a * ratio * inv_n : 0.0f;
    if (g != 0.0f) {
      if (o.continuous) {
        for (std::int64_t j = 0; j < k; ++j) {
          const float inv_var = std::exp(-2.0f * log_std[j]);
          const float diff = acts_f[i * k + j] - row[j];
          drow[j] = g * diff * inv_var;                   // d log pi / d mean_j = (a - mean) / var
          d_log_std[j] += g * (diff * diff * inv_var - 1.0f);  // d log pi / d log_std_j
        }
      } else {
        // d log pi / d logit_j = 1[j = a] - p_j, with p_j = exp(logit_j - logsumexp)
        const float neg_lse = lp - row[acts_i[i]];
        for (std::int64_t j = 0; j < k; ++j) drow[j] -= g * std::exp(row[j] + neg_lse);
        drow[acts_i[i]] += g;
      }
    } else if (o.continuous) {
      for (std::int64_t j = 0; j < k; ++j) drow[j] = 0.0f;
    }
    // Value loss and its gradient.
    float pred = values[i], pass = 1.0f;
    if (cvf > 0) {
      const float d = values[i] - old_v[i];
      pred = old_v[i] + std::clamp(d, -cvf, cvf);
      pass = (d >= -cvf && d <= cvf) ? 1.0f : 0.0f;
    }
    const float err = pred - ret[i];
    vl += static_cast<double>(err) * err;
    d_values[i] = vf_coef * 2.0f * err * inv_n * pass;
  }
  stats.policy_loss = pg / n;
  stats.value_loss = vl / n;
  stats.entropy = ent / n;
  stats.approx_kl = kl / n;
  stats.clip_fraction = clipped / n;
}

}  // namespace pavlov::agents
