"""
---
title: PPO Experiment with Atari Breakout
summary: Annotated implementation to train a PPO agent on Atari Breakout game.
---

# PPO Experiment with Atari Breakout

This experiment trains Proximal Policy Optimization (PPO) agent  Atari Breakout game on OpenAI Gym.
It samples with [several workers](index.html#ClippedPPOLoss) to be efficient.
"""


def configs(lr: float = 2.5e-4):
    """
    <a id="gae"></a>

    ### Configurations

    Generalized advantage estimation uses $\gamma = 0.99$ and $\lambda = 0.95$,
    $\hat{A_t} = \delta_t + \gamma \lambda \hat{A}_{t+1}$.
    """
    return dict(
        # Number of updates
        updates=10000,
        # ⚙️ Number of epochs to train the model with sampled data.
        # You can change this while the experiment is running.
        epochs=4,
        # Number of worker processes
        n_workers=8,
        # Number of steps to run on each process for a single update
        worker_steps=128,
        # Number of mini batches
        batches=4,
        # ⚙️ Learning rate $\alpha$, see [the PPO page](index.html)
        lr=lr,
    )
