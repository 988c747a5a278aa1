#include "distill/tesla_labels.h"

#include <torch/torch.h>

namespace distillery {

at::Tensor teacher_soft_labels(const ConvNet& net, const at::Tensor& images, const at::Tensor& target_theta) {
    // Batched, so that the memory of this forward pass stays bounded for large synthetic sets.
    return torch::softmax(net.predict(images, target_theta), 1);
}

}  // namespace distillery
