#!/usr/bin/env node
import '../bundle/kmodkit.js';
