"""
# [Annotated Research Paper Implementations: Transformers, PPO and more](index.html)

This is a collection of simple PyTorch implementations of
neural networks and related algorithms.
These implementations are documented with explanations,
and the [website](index.html) renders these as side-by-side formatted notes.

#### ✨ [Transformers](transformers/index.html)

* [Multi-headed attention](transformers/mha.html)

#### ✨ [Reinforcement Learning](rl)

* [Proximal Policy Optimization](rl/ppo) with
 [Generalized Advantage Estimation](rl/ppo/experiment.html#gae)
"""
