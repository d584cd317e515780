r"""
---
title: Batch Normalization
summary: A readable PyTorch implementation of batch normalization, with running statistics for inference.
paper: "1502.03167"
---

# Batch Normalization

This is a PyTorch implementation of
[Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift](https://arxiv.org/abs/1502.03167)
(Ioffe and Szegedy, 2015).

## The transform (Algorithm 1)

For a mini-batch $\mathcal{B} = \{x_1, \dots, x_m\}$ of values of one channel (for images, $m$ counts every
pixel of every sample: $m = B \times H \times W$):

\begin{align}
\mu_\mathcal{B} &= \frac{1}{m} \sum_{i=1}^m x_i &
\sigma^2_\mathcal{B} &= \frac{1}{m} \sum_{i=1}^m (x_i - \mu_\mathcal{B})^2 \\
\hat{x}_i &= \frac{x_i - \mu_\mathcal{B}}{\sqrt{\sigma^2_\mathcal{B} + \epsilon}} &
y_i &= \gamma \hat{x}_i + \beta
\end{align}

$\epsilon$ avoids division by zero. The learned scale $\gamma$ and shift $\beta$ (one per channel) let the
network undo the normalization where that helps: $\gamma = \sqrt{\sigma^2_\mathcal{B} + \epsilon}$,
$\beta = \mu_\mathcal{B}$ gives back the input.

For convolutional layers the paper normalises per *channel* over the batch and all spatial positions
(section 3.2), so that every location of a feature map is normalised the same way, just as it is computed
with the same filter.

## Training and inference

During training the statistics are those of the current mini-batch; this couples the samples of a batch and
adds a little noise that acts as a regulariser. At inference a prediction must not depend on the rest of the
batch, so the layer uses estimates of the population statistics instead (section 3.1). We keep exponential
moving averages with momentum $\alpha$:

$$\mu_{run} \leftarrow (1 - \alpha) \, \mu_{run} + \alpha \, \mu_\mathcal{B}, \qquad
\sigma^2_{run} \leftarrow (1 - \alpha) \, \sigma^2_{run} + \alpha \, \frac{m}{m - 1} \sigma^2_\mathcal{B}$$

The variance estimate uses the *unbiased* $\frac{m}{m-1} \sigma^2_\mathcal{B}$, as in the paper
(and as `torch.nn.BatchNorm2d` does), while the normalization during training uses the biased
$\sigma^2_\mathcal{B}$.

[ConvMixer](../../conv_mixer/index.html) uses batch normalization after every convolution, through PyTorch's
`nn.BatchNorm2d`; the class below computes the same (the tests compare the two in training and evaluation)
and is written to be read.
"""

import torch
from torch import nn


class BatchNorm(nn.Module):
    r"""
    ## Batch normalization layer

    * `channels` is the number of channels $C$; inputs are `[batch, channels, *]` with any number of trailing
      (spatial) dimensions, including none
    * `eps` is $\epsilon$
    * `momentum` is $\alpha$; `None` uses a cumulative average over all batches seen instead
    * `affine` says whether to learn $\gamma$ and $\beta$
    * `track_running_stats` says whether to keep $\mu_{run}$ and $\sigma^2_{run}$; without them the batch
      statistics are used in evaluation too
    """

    def __init__(
        self,
        channels: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ):
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        # $\gamma$ starts at one and $\beta$ at zero, so the layer starts as a pure normalization
        if affine:
            self.scale = nn.Parameter(torch.ones(channels))  # [C]
            self.shift = nn.Parameter(torch.zeros(channels))  # [C]
        # Running estimates are buffers: saved with the model, not trained by the optimizer
        if track_running_stats:
            self.register_buffer("exp_mean", torch.zeros(channels))  # [C]
            self.register_buffer("exp_var", torch.ones(channels))  # [C]
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, channels, *]`; returns the same shape."""
        x_shape = x.shape
        batch = x_shape[0]
        if x_shape[1] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {x_shape[1]}")
        # Flatten the spatial dimensions: the statistics of channel $c$ are over `x[:, c, :]`
        x = x.reshape(batch, self.channels, -1)  # [batch, C, n]

        # Batch statistics are used when training, or always if no running estimates are kept
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            # $\mu_\mathcal{B}$, over the batch and positions
            mean = x.mean(dim=(0, 2))  # [C]
            # $\sigma^2_\mathcal{B}$, the biased variance
            var = ((x - mean.view(1, -1, 1)) ** 2).mean(dim=(0, 2))  # [C]
            # $m = B \times n$, the number of values per channel
            m = x.shape[0] * x.shape[2]
            if m <= 1:
                raise ValueError("batch normalization needs more than one value per channel in training")
            # Update the running estimates (not part of the gradient computation)
            if self.training and self.track_running_stats:
                with torch.no_grad():
                    self.num_batches_tracked += 1
                    # Momentum $\alpha$, or $1 / \text{(number of batches)}$ for a cumulative average
                    alpha = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                    self.exp_mean.mul_(1 - alpha).add_(alpha * mean)
                    self.exp_var.mul_(1 - alpha).add_(alpha * var * m / (m - 1))
        else:
            # Inference: the population estimates
            mean = self.exp_mean  # [C]
            var = self.exp_var  # [C]

        # $\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}$
        x_norm = (x - mean.view(1, -1, 1)) / torch.sqrt(var.view(1, -1, 1) + self.eps)  # [batch, C, n]
        # $y = \gamma \hat{x} + \beta$
        if self.affine:
            x_norm = self.scale.view(1, -1, 1) * x_norm + self.shift.view(1, -1, 1)  # [batch, C, n]
        #
        return x_norm.view(x_shape)  # [batch, C, *]
