"""FNet behaves as the paper (arXiv 2105.03824) says.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* the transform along one axis only (fft instead of fft2)              (test_mixing_is_the_real_part_of_the_2d_dft)
* the imaginary part or the magnitude kept instead of the real part      (test_mixing_is_the_real_part_of_the_2d_dft)
* the inverse transform (ifft2) used                                    (test_mixing_is_the_real_part_of_the_2d_dft)
* the layer made pre-norm instead of post-norm                          (test_layer_is_post_norm)
* the padding mask ignored                                               (test_padding_mask_hides_padded_tokens)
* the embedding projection skipped in forward                           (test_pretraining_model_is_bert_...)
* the embedding projection removed from the model                         (test_fnet_parameter_counts)
* the pooler's tanh dropped, or the MLM head's LayerNorm skipped         (test_pretraining_model_is_bert_...)
* the masked-LM output untied from the word embeddings                   (test_fnet_parameter_counts)
"""

import math

import torch
from paper_equations import layer_norm, linear, mlp

from labml_nn.transformers.fnet import FNet, FNetLayer, FourierMixing


def dft_matrix(n: int) -> torch.Tensor:
    """Equation 1 as a matrix: F[k, n] = exp(-2 pi i n k / N)."""
    k = torch.arange(n, dtype=torch.float64)
    return torch.exp(-2j * math.pi * torch.outer(k, k) / n)


def test_mixing_is_the_real_part_of_the_2d_dft():
    """Re(F_seq(F_hidden(x))) = Re(F_N x F_d^T), with the DFT matrices of equation 1."""
    torch.manual_seed(0)
    x = torch.randn(2, 5, 6, dtype=torch.float64)
    expected = (dft_matrix(5) @ x.to(torch.complex128) @ dft_matrix(6).T).real
    mixing = FourierMixing()
    torch.testing.assert_close(mixing(x, x, x), expected, rtol=1e-10, atol=1e-10)
    assert not list(mixing.parameters())
    # float32 in, float32 out; bfloat16 is computed in float32
    assert mixing(x.float()).dtype == torch.float32
    assert mixing(x.bfloat16()).dtype == torch.bfloat16


def test_layer_is_post_norm():
    """h = LN(x + Re(F(x))), y = LN(h + FF(h))."""
    torch.manual_seed(0)
    layer = FNetLayer(6, 12).double().eval()
    with torch.no_grad():
        for p in layer.parameters():
            p.normal_(0, 0.5)
    x = torch.randn(2, 5, 6, dtype=torch.float64)
    h = layer_norm(x + torch.fft.fft2(x).real, layer.norm_mixing)
    y = layer_norm(h + mlp(layer.feed_forward, h), layer.norm_ff)
    torch.testing.assert_close(layer(x), y, rtol=1e-10, atol=1e-10)


def test_padding_mask_hides_padded_tokens():
    torch.manual_seed(0)
    x = torch.randn(1, 6, 4, dtype=torch.float64)
    keep = torch.tensor([[True] * 4 + [False] * 2])[:, None, None, :]
    y = x.clone()
    y[0, 4:] = 50.0
    mixing = FourierMixing()
    torch.testing.assert_close(mixing(y, mask=keep), mixing(x, mask=keep))


def test_pretraining_model_is_bert_with_fourier_layers():
    """Embeddings summed, normalised and projected; post-norm Fourier layers; tanh pooler on the first token
    for next-sentence prediction; masked-LM head dense-GELU-LN times the transposed word embeddings plus a bias."""
    torch.manual_seed(0)
    model = FNet(vocab_size=30, max_len=8, d_model=6, d_ff=12, n_layers=2).double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
    tokens, types = torch.randint(0, 30, (2, 5)), torch.randint(0, 4, (2, 5))
    x = model.word_embedding.weight[tokens] + model.position_embedding.weight[:5] + model.type_embedding.weight[types]
    x = linear(layer_norm(x, model.embedding_norm), model.embedding_projection)
    for layer in model.layers:
        h = layer_norm(x + torch.fft.fft2(x).real, layer.norm_mixing)
        x = layer_norm(h + mlp(layer.feed_forward, h), layer.norm_ff)
    nsp = linear(torch.tanh(linear(x[:, 0], model.pooler)), model.nsp_head)
    h = layer_norm(torch.nn.functional.gelu(linear(x, model.mlm_dense)), model.mlm_norm)
    mlm = h @ model.word_embedding.weight.T + model.mlm_bias
    out_mlm, out_nsp = model(tokens, types)
    torch.testing.assert_close(out_mlm, mlm, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(out_nsp, nsp, rtol=1e-9, atol=1e-9)
