"""Makes the PyTorch reference fixtures of the Jacobian and empirical-NTK tests (run once, output committed).

    /usr/bin/python3 make_fixtures.py      # Debian's python3-torch (PyTorch 1.13), float64

For each activation: <act>_model.npz (an nn.Sequential state dict), <act>_x.npy (5, 3), <act>_x2.npy (4, 3),
and <act>_ref.npz with autograd's input Jacobian (N, O, D), parameter Jacobian (N, O, P) of x and of x2
(columns in state-dict order), and the empirical NTK J(x) J(x2)^T, full (N, N2, O, O) and its trace (N, N2).
"""
import numpy as np
import torch

torch.manual_seed(2026)
ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "leaky_relu": lambda: torch.nn.LeakyReLU(0.01)}


def parameter_jacobian(net, x):
    params = list(net.parameters())
    rows = []
    for xi in x:
        out = net(xi.unsqueeze(0)).squeeze(0)
        per_output = []
        for o in range(out.shape[0]):
            grads = torch.autograd.grad(out[o], params, retain_graph=True)
            per_output.append(torch.cat([g.reshape(-1) for g in grads]))
        rows.append(torch.stack(per_output))
    return torch.stack(rows)


for name, act in ACTIVATIONS.items():
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), act(), torch.nn.Linear(16, 8), act(),
                              torch.nn.Linear(8, 2)).double()
    x = torch.randn(5, 3, dtype=torch.float64)
    x2 = torch.randn(4, 3, dtype=torch.float64)
    jin = torch.stack([torch.autograd.functional.jacobian(net, xi) for xi in x])
    jp = parameter_jacobian(net, x)
    jp2 = parameter_jacobian(net, x2)
    ntk = torch.einsum("iap,jbp->ijab", jp, jp2)
    np.savez(f"{name}_model.npz", **{k: v.detach().numpy() for k, v in net.state_dict().items()})
    np.save(f"{name}_x.npy", x.numpy())
    np.save(f"{name}_x2.npy", x2.numpy())
    np.savez(f"{name}_ref.npz", input_jacobian=jin.numpy(), parameter_jacobian=jp.numpy(),
             parameter_jacobian2=jp2.numpy(), ntk=ntk.numpy(), ntk_trace=torch.einsum("ijaa->ij", ntk).numpy())
