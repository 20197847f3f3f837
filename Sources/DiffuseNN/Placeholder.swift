// Placeholder until this layer's first component lands.
