/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtcca-kvm-standin-run: launch the realm a measurement log describes
 * through the KVM path's ioctl layer against the kernel stand-in (the
 * real thing needs CCA hardware), and print the RIM the realm reads.
 *
 *   virtcca-kvm-standin-run --api openeuler|upstream [--revision N]
 *       --plan FILE --image NAME=PATH ... [--json]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "standin-vmm.h"
#include "measure/measure.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: virtcca-kvm-standin-run --api openeuler|upstream [--revision N]\n"
"           --plan FILE --image NAME=PATH ... [--json]\n"
"Launch the realm of a launch plan (the virtcca machine's measurement\n"
"log) through the KVM ioctl layer against the kernel stand-in, and print\n"
"its RIM.  --revision: the upstream CCA revision (12, 13, 14; default\n"
"14).\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "api", required_argument, NULL, 'a' },
        { "revision", required_argument, NULL, 'r' },
        { "plan", required_argument, NULL, 'p' },
        { "image", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    KvmStandinConfig cfg = { .upstream_revision = 14, .rmi_cap = 248 };
    const char **names = calloc(argc, sizeof(*names));
    const char **paths = calloc(argc, sizeof(*paths));
    const char *plan_file = NULL;
    size_t nr = 0, i, rim_size;
    uint8_t **buffers = NULL, rim[64];
    VirtccaPlan plan;
    StandinVmm vmm;
    bool json = false, ok;
    char err[256];
    int opt, ret = 1;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *sep;

        switch (opt) {
        case 'a':
            if (!strcmp(optarg, "openeuler")) {
                cfg.api = KVM_STANDIN_OPENEULER;
            } else if (!strcmp(optarg, "upstream")) {
                cfg.api = KVM_STANDIN_UPSTREAM;
            } else {
                fprintf(stderr, "--api: '%s' is neither openeuler nor "
                        "upstream\n", optarg);
                return 2;
            }
            break;
        case 'r':
            cfg.upstream_revision = atoi(optarg);
            break;
        case 'p':
            plan_file = optarg;
            break;
        case 'i':
            sep = strchr(optarg, '=');
            if (!sep) {
                fprintf(stderr, "--image: expected NAME=PATH\n");
                return 2;
            }
            *sep = 0;
            names[nr] = optarg;
            paths[nr++] = sep + 1;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!plan_file || cfg.api == KVM_STANDIN_MAINLINE || optind != argc) {
        usage(stderr);
        return 2;
    }
    virtcca_plan_init(&plan);
    if (!virtcca_plan_load(plan_file, names, paths, nr, &plan, &buffers,
                           err, sizeof(err))) {
        fprintf(stderr, "virtcca-kvm-standin-run: %s\n", err);
        goto out;
    }
    virtcca_plan_sort(&plan);
    cfg.secure_size = standin_vmm_secure_size(&plan);
    ok = standin_vmm_start(&vmm, &cfg, err, sizeof(err)) &&
         standin_vmm_create(&vmm, &plan, err, sizeof(err)) &&
         standin_vmm_launch(&vmm, &plan, err, sizeof(err));
    if (ok && !kvm_standin_read_rim(vmm.standin, vmm.vm_fd, rim,
                                    &rim_size)) {
        ok = virtcca_plan_error(err, sizeof(err), "the realm cannot read "
                                "its RIM");
    }
    if (ok) {
        printf(json ? "{\"api\": \"%s\", \"hash\": \"%s\", "
                      "\"data_granules\": %zu, \"rim\": \""
                    : "API %s, %s, %zu DATA granules, RIM ",
               virtcca_kvm_api_name(vmm.caps.api),
               tmm_hash_name(plan.params.hash_algo),
               kvm_standin_data_granules(vmm.standin, vmm.vm_fd));
        for (i = 0; i < rim_size; i++) {
            printf("%02x", rim[i]);
        }
        printf(json ? "\"}\n" : "\n");
        ret = 0;
    } else {
        fprintf(stderr, "virtcca-kvm-standin-run: %s\n", err);
    }
    standin_vmm_stop(&vmm);
out:
    for (i = 0; buffers && i < plan.nr_images; i++) {
        free(buffers[i]);
    }
    free(buffers);
    virtcca_plan_free(&plan);
    free(names);
    free(paths);
    return ret;
}
