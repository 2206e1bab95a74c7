"""Call flows of inbound topics: the graph model, its checks and the standard flow."""
