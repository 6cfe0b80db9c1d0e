// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { config } from '@grafana/runtime';

// The tests run as an Editor (the plugin disables changes for viewers, from Grafana's boot data).
config.bootData.user = { ...config.bootData.user, orgRole: 'Editor' };
