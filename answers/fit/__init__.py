"""Whether an earlier answer fits a question: the logistic model (label), learnt from the desk's use (use, learn),
its cold start simulated (simulate), and the k-means cells the candidates search (cells)."""
