"""The deployment model: front ends, routes, backends, services and the links between them."""
