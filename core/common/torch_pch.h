#pragma once
// The one precompiled header: LibTorch's umbrella header, guarded against Qt's `slots` macro
// (ATen has a member named slots(); see docs/architecture.md).
#pragma push_macro("slots")
#undef slots
#include <torch/torch.h>
#pragma pop_macro("slots")
