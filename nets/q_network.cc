#include "nets/q_network.h"

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"
#include "nets/mlp_backprop.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  std::vector<KeySpec> keys = mlp_keys();
  keys.push_back({.name = "dueling", .type = KeyType::kBool, .default_value = false,
                  .help = "value-based agents: separate value and advantage streams (dueling head)"});
  Catalog::global().add({"net", "mlp", "multi-layer perceptron torso with the agent's head", keys});
  // The convolutional types: the same keys, their papers' fully connected widths by default.
  auto with_hidden = [&](std::vector<std::int64_t> hidden) {
    std::vector<KeySpec> k = keys;
    for (KeySpec& spec : k)
      if (spec.name == "hidden") spec.default_value = hidden;
    return k;
  };
  Catalog::global().add({"net", "minatar_cnn",
                         "MinAtar's network (dqn, ppo, a2c): a 3x3 convolution with 16 channels, then the MLP (hidden [128])",
                         with_hidden({128})});
  Catalog::global().add({"net", "nature_cnn",
                         "the DQN Nature convolutions (dqn, ppo, a2c; 84x84-ish images), then the MLP (hidden [512])",
                         with_hidden({512})});
  Catalog::global().add({"net", "small_cnn",
                         "two 3x3 convolutions (32, 64 channels) with 2x2 max pooling, then the MLP (hidden [128]): "
                         "small images (Fashion-MNIST)",
                         with_hidden({128})});
  Catalog::global().add({"net", "impala_cnn",
                         "the IMPALA ResNet encoder (dqn, ppo, a2c): three conv + max-pool + 2 residual-block stacks, then the MLP (hidden [256])",
                         with_hidden({256})});
  std::vector<KeySpec> resnet = with_hidden({});
  resnet.push_back({.name = "channels", .type = KeyType::kIntList, .default_value = std::vector<std::int64_t>{16, 32, 64},
                    .help = "resnet: the stages' widths (each stage after the first halves the image size)", .min = 1, .max = 4096});
  resnet.push_back({.name = "blocks", .type = KeyType::kInt, .default_value = std::int64_t{2},
                    .help = "resnet: pre-activation basic blocks per stage", .min = 1, .max = 64});
  Catalog::global().add({"net", "resnet",
                         "a pre-activation ResNet for small images (CIFAR layout): a stem convolution, stages of basic "
                         "blocks, global average pooling, then the MLP (hidden [])",
                         resnet});
  return true;
}();

}  // namespace

QNetworkOptions q_network_options_from(const Config& cfg, const Space& obs_space, std::int64_t num_actions) {
  if (cfg.get_string("agent.net.type") == "transformer")
    throw std::invalid_argument("[agent.net] type = \"transformer\" is for ppo and a2c; dqn takes mlp or a convolutional encoder");
  const auto encoder = conv_encoder_from(cfg, obs_space);
  const std::int64_t features = encoder ? ConvEncoder(*encoder)->out_features() : obs_space.numel();
  return QNetworkOptions(mlp_options_from(cfg, features), num_actions).dueling(cfg.get_bool("agent.net.dueling")).encoder(encoder);
}

QNetworkImpl::QNetworkImpl(QNetworkOptions opts) : options(std::move(opts)) {
  if (options.encoder()) encoder_ = register_module("encoder", ConvEncoder(*options.encoder()));
  torso_ = register_module("torso", MLP(options.torso()));
  const std::int64_t width = torso_->out_features();
  q_ = register_module("q", torch::nn::Linear(width, options.num_actions()));
  if (options.dueling()) value_ = register_module("value", torch::nn::Linear(width, 1));
}

torch::Tensor QNetworkImpl::forward(torch::Tensor obs) {
  torch::Tensor h = torso_(encoder_ ? encoder_(obs) : obs);
  torch::Tensor q = q_(h);
  if (!options.dueling()) return q;
  return value_(h) + q - q.mean(1, /*keepdim=*/true);
}

}  // namespace pavlov::nets

namespace pavlov::nets {

std::optional<ConvFront> QNetworkImpl::conv_front() const {
  return encoder_ ? encoder_->plain_front(options.torso().activation()) : std::nullopt;
}

std::vector<torch::nn::Linear> QNetworkImpl::plain_layers() const {
  if (options.dueling() || (encoder_ && !conv_front())) return {};
  return nets::plain_layers(torso_, q_);
}

}  // namespace pavlov::nets
