// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel guest platform: a kernel spawned by a multikernel host on
 * CPUs the host took offline.
 *
 * The kernel finds a SETUP_MULTIKERNEL entry in its boot_params setup_data
 * chain and then only touches what it was given: the CPUs listed there
 * (no MADT, no MP table), its own memory (from the e820 table the host
 * wrote), and an optional legacy UART in polled mode.  It never programs
 * the IOAPIC, the 8259 PIC, the PIT, the HPET, the RTC/CMOS, the i8042 or
 * PCI configuration space, and its TSC and local APIC timer rates come from
 * the host instead of being calibrated against legacy timers.
 *
 * It is fenced in as a kernel that does not own the machine: no external
 * NMI (LINT1 masked), no NMI reason port, no port-0x80 delay, no legacy I/O
 * resources, no firmware RSDP for a next kernel, and its halt paths stop all
 * its CPUs outside VMX/SVM.  kexec loads are refused in kernel/kexec_core.c,
 * the speaker and 8237 DMA devices in pcspeaker.c and i8237.c.
 */

#define pr_fmt(fmt) "multikernel-guest: " fmt

#include <linux/acpi.h>
#include <linux/console.h>
#include <linux/cpu.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/multikernel.h>
#include <linux/nmi.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/reboot.h>
#include <linux/serial_8250.h>
#include <linux/smp.h>

#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/hypervisor.h>
#include <asm/i8259.h>
#include <asm/pci_x86.h>
#include <asm/reboot.h>
#include <asm/setup.h>
#include <asm/x86_init.h>

static struct multikernel_boot_info mk_boot __ro_after_init;
static u64 mk_info_pa __ro_after_init;	/* data of the SETUP_MULTIKERNEL entry */
static u32 mk_info_len __ro_after_init;	/* its length */
static bool mk_x2apic __ro_after_init;	/* the host runs its APICs in x2APIC mode */

/* Find the SETUP_MULTIKERNEL entry; returns its data address or 0. */
static u64 __init mk_find_setup_data(u32 *len)
{
	u64 pa = boot_params.hdr.setup_data;
	struct setup_data *sd;
	int guard = 64;

	while (pa && guard--) {
		u32 type;
		u64 next;

		sd = early_memremap(pa, sizeof(*sd));
		if (!sd)
			return 0;
		type = sd->type;
		next = sd->next;
		*len = sd->len;
		early_memunmap(sd, sizeof(*sd));
		if (type == SETUP_MULTIKERNEL)
			return pa + sizeof(*sd);
		pa = next;
	}
	return 0;
}

static u32 __init mk_guest_detect(void)
{
	mk_info_pa = mk_find_setup_data(&mk_info_len);
	/* Boot data beats any CPUID signature: we are not a VM guest. */
	return mk_info_pa ? UINT_MAX : 0;
}

bool multikernel_guest(void)
{
	return mk_info_pa != 0;
}

static void __init mk_guest_timer_init(void)
{
	lapic_timer_period = div_u64((u64)mk_boot.lapic_timer_period *
				     mk_boot.host_hz, HZ);
}

static unsigned long mk_guest_tsc_khz(void)
{
	return mk_boot.tsc_khz;
}

static unsigned long mk_guest_cpu_khz(void)
{
	return mk_boot.cpu_khz ?: mk_boot.tsc_khz;
}

static void mk_guest_get_wallclock(struct timespec64 *now)
{
	memset(now, 0, sizeof(*now));
}

static int mk_guest_set_wallclock(const struct timespec64 *now)
{
	return -ENODEV;
}

static void __init mk_guest_parse_smp_cfg(void)
{
	unsigned int i;

	register_lapic_address(APIC_DEFAULT_PHYS_BASE);
	for (i = 0; i < mk_boot.nr_cpus; i++)
		topology_register_apic(mk_boot.apic_ids[i], CPU_ACPIID_INVALID,
				       true);
	/*
	 * Possible, not present: the host may give them while we run.  They
	 * do not decide the APIC mode: in xAPIC mode (nox2apic, say) those
	 * above 0xfe cannot be reached, and the host's request for one fails.
	 */
	for (i = 0; IS_ENABLED(CONFIG_HOTPLUG_CPU) && i < mk_boot.nr_hotplug_cpus;
	     i++)
		if (mk_x2apic || mk_boot.hotplug_apic_ids[i] <= 0xfe)
			topology_register_apic(mk_boot.hotplug_apic_ids[i],
					       CPU_ACPIID_INVALID, false);
	smp_found_config = 1;
}

#ifdef CONFIG_HOTPLUG_CPU
/* The present CPU with APIC id @apicid, or -ENODEV.  With the hotplug lock. */
static int mk_guest_cpu_of(u32 apicid)
{
	unsigned int cpu;

	for_each_present_cpu(cpu)
		if (per_cpu(x86_cpu_to_apicid, cpu) == apicid)
			return cpu;
	return -ENODEV;
}

/* Forget @cpu, offline: no longer present, its device gone. */
static void mk_guest_cpu_forget(unsigned int cpu)
{
	cpu_maps_update_begin();
	cpus_write_lock();
	arch_unregister_cpu(cpu);
	topology_hotunplug_apic(cpu);
	cpus_write_unlock();
	cpu_maps_update_done();
}

/**
 * multikernel_guest_cpu_add - bring up a CPU the host gives while we run
 * @apicid: its APIC id, registered at boot (one of the boot information's
 *	    CPUs or hotplug CPUs)
 *
 * Makes the CPU present, registers its device and onlines it, with this
 * kernel's own INIT/SIPI sequence from its own real-mode trampoline, as at
 * boot.  Sleeps.
 *
 * Return: 0, -EBUSY when it is present already, -ENODEV when it was not
 * registered at boot, -ENOSPC without a CPU number for it, or the error of
 * its bring-up (then it is not present again).
 */
int multikernel_guest_cpu_add(u32 apicid)
{
	int cpu, ret;

	lock_device_hotplug();
	if (mk_guest_cpu_of(apicid) >= 0) {
		ret = -EBUSY;
		goto out;
	}
	cpu_maps_update_begin();
	cpus_write_lock();
	cpu = topology_hotplug_apic(apicid, CPU_ACPIID_INVALID);
	ret = cpu < 0 ? cpu : arch_register_cpu(cpu);
	if (ret && cpu >= 0)
		topology_hotunplug_apic(cpu);
	cpus_write_unlock();
	cpu_maps_update_done();
	if (ret)
		goto out;
	ret = device_online(get_cpu_device(cpu));
	if (ret < 0) {
		pr_err("APIC id %u from the host did not come up: %d\n",
		       apicid, ret);
		mk_guest_cpu_forget(cpu);
		goto out;
	}
	ret = 0;
	pr_info("cpu%u (APIC id %u) added by the host\n", cpu, apicid);
out:
	unlock_device_hotplug();
	return ret;
}

/**
 * multikernel_guest_cpu_remove - give a CPU back to the host
 * @apicid: its APIC id
 *
 * Takes the CPU offline (it halts in this kernel's play_dead until the
 * host parks it), unregisters its device and makes it not present again;
 * it stays possible, so the host can give it again.  Sleeps.
 *
 * Return: 0, -ENODEV when no present CPU has @apicid, -EINVAL for the CPU
 * this kernel booted on, or the error of taking it offline.
 */
int multikernel_guest_cpu_remove(u32 apicid)
{
	int cpu, ret;

	lock_device_hotplug();
	cpu = mk_guest_cpu_of(apicid);
	if (cpu < 0) {
		ret = cpu;
	} else if (!cpu) {
		ret = -EINVAL;
	} else {
		/* 1: it was offline already */
		ret = device_offline(get_cpu_device(cpu));
		if (ret >= 0) {
			mk_guest_cpu_forget(cpu);
			pr_info("cpu%u (APIC id %u) given back to the host\n",
				cpu, apicid);
			ret = 0;
		}
	}
	unlock_device_hotplug();
	return ret;
}
#else
int multikernel_guest_cpu_add(u32 apicid)
{
	return -EOPNOTSUPP;
}

int multikernel_guest_cpu_remove(u32 apicid)
{
	return -EOPNOTSUPP;
}
#endif

/**
 * multikernel_guest_features - what to report in guest_features
 *
 * Return: MK_GUEST_F_* bits; none when the host wrote a boot information
 * layout older than version 3, which has no such field.
 */
u32 multikernel_guest_features(void)
{
	if (mk_boot.version < 3)
		return 0;
	return IS_ENABLED(CONFIG_HOTPLUG_CPU) ? MK_GUEST_F_CPUS : 0;
}

static int __init mk_guest_pci_arch_init(void)
{
	/* No PCI devices are handed over yet: do not probe. */
	return 0;
}

/*
 * Stop this instance's other CPUs.  The stop IPI (or the NMI after it) makes
 * each of them leave VMX/SVM and halt in stop_this_cpu(); the call returns
 * once all have.  reboot=force, which skips this on bare metal, would leave
 * them running: a spawn never honours it.
 */
static void mk_guest_stop_other_cpus(void)
{
	local_irq_disable();
	reboot_force = 0;
	stop_other_cpus();
}

/*
 * Stop every CPU of this instance, this one last, and tell the host once
 * they are all halted.  A CPU in VMX root operation or with GIF=0 would not
 * react to the host's INIT: leave VMX/SVM before halting.
 */
static void __noreturn mk_guest_halt(void)
{
	mk_guest_stop_other_cpus();
	cpu_emergency_disable_virtualization();
	pr_emerg("halting instance %u, %u of its %u CPUs still online\n",
		 mk_boot.instance_id, num_online_cpus(), mk_boot.nr_cpus);
	multikernel_guest_halted();
	for (;;)
		native_halt();
}

static void mk_guest_restart(char *cmd)
{
	mk_guest_halt();
}

/*
 * machine_shutdown(), before a kexec reboot (which kexec_load_permitted()
 * refuses here anyway): stop the other CPUs like native_machine_shutdown().
 * No IOAPIC, PIC or HPET state was touched, so nothing else is handed back.
 */
static void mk_guest_shutdown(void)
{
	mk_guest_stop_other_cpus();
}

/*
 * A panic that does not end in a restart (panic=0) leaves this CPU spinning
 * in panic() with the others stopped: take it out of VMX/SVM too, so that
 * the host's INIT still resets it.  Runs last, after the panic report.
 */
static int mk_guest_panic_stop(struct notifier_block *nb, unsigned long event,
			       void *msg)
{
	cpu_emergency_disable_virtualization();
	return NOTIFY_DONE;
}

static struct notifier_block mk_guest_panic_nb = {
	.notifier_call	= mk_guest_panic_stop,
	.priority	= INT_MIN,
};

/* No NMI reason port (0x61): it is the host's, as are SERR and IOCHK. */
static unsigned char mk_guest_get_nmi_reason(void)
{
	return 0;
}

#ifdef CONFIG_SERIAL_8250
static void mk_guest_serial_fixup(int port, struct uart_port *up,
				  u32 *capabilities)
{
	if (mk_boot.uart_base && up->iobase == mk_boot.uart_base) {
		/* The host routes no interrupt to us: poll. */
		up->irq = 0;
		pr_info("using UART at %#lx in polled mode\n", up->iobase);
	} else {
		up->iobase = 0;
	}
}
#endif

/* Put @line into the host's view of our console, if its format is known. */
static void __init mk_guest_console_note(const char *line)
{
	u64 pa = mk_info_pa - MULTIKERNEL_INFO_OFFSET + MK_CONSOLE_OFFSET;
	size_t len = strlen(line), map = MK_CONSOLE_HDR_SIZE + PAGE_SIZE;
	struct mk_console_shared *con;

	con = early_memremap(pa, map);
	if (!con)
		return;
	if (con->magic == MK_CONSOLE_MAGIC &&
	    con->version == MK_CONSOLE_VERSION &&
	    con->size == MK_CONSOLE_SIZE && !con->head && len < PAGE_SIZE) {
		memcpy((u8 *)con + MK_CONSOLE_HDR_SIZE, line, len);
		/* the text is in place before the host can see the new head */
		smp_store_release(&con->head, len);
	}
	early_memunmap(con, map);
}

/*
 * The boot information cannot be used: say why and stop, before anything
 * touches hardware the host owns.  The host only sees that this instance
 * never gets past "starting".
 */
static void __init __noreturn __printf(1, 2) mk_refuse(const char *fmt, ...)
{
	static char msg[192] __initdata, line[256] __initdata;
	va_list args;

	va_start(args, fmt);
	vscnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	pr_emerg("refusing to boot: boot information %s", msg);
	scnprintf(line, sizeof(line),
		  pr_fmt("refusing to boot: boot information %s"), msg);
	mk_guest_console_note(line);
	local_irq_disable();
	for (;;)
		native_halt();
}

/**
 * mk_guest_check_info - may this kernel read the host's boot information?
 * @info:	the boot information, in the SETUP_MULTIKERNEL entry
 * @entry_len:	length of that entry
 * @shared:	physical start of the shared area the entry is in
 * @out:	filled with what this kernel knows of @info, the fields of
 *		versions the host did not write at their defaults
 * @why:	filled with the reason when it may not, the end of a sentence
 *		that starts "boot information "
 * @why_len:	size of @why
 *
 * The rules of struct multikernel_boot_info.  Not __init, for its KUnit
 * tests, which run after boot.
 *
 * Return: true if this kernel can use @out.
 */
static bool mk_guest_check_info(const struct multikernel_boot_info *info,
				u32 entry_len, u64 shared,
				struct multikernel_boot_info *out,
				char *why, size_t why_len)
{
	u16 version, compat, known;
	u32 size, need;

	if (info->magic != MULTIKERNEL_BOOT_MAGIC) {
		scnprintf(why, why_len, "has magic %#x, not %#x\n", info->magic,
			  MULTIKERNEL_BOOT_MAGIC);
		return false;
	}
	version = info->version;
	compat = info->compat_version;
	size = info->size;
	if (compat > MULTIKERNEL_BOOT_VERSION) {
		scnprintf(why, why_len,
			  "version %u needs layout %u, this kernel knows up to %u\n",
			  version, compat, MULTIKERNEL_BOOT_VERSION);
		return false;
	}
	if (!compat || compat > version) {
		scnprintf(why, why_len,
			  "version %u claims compatibility with version %u\n",
			  version, compat);
		return false;
	}
	if (version < MULTIKERNEL_BOOT_OLDEST) {
		scnprintf(why, why_len,
			  "version %u is older than %u, the oldest this kernel boots on\n",
			  version, MULTIKERNEL_BOOT_OLDEST);
		return false;
	}
	known = min_t(u16, version, MULTIKERNEL_BOOT_VERSION);
	need = multikernel_boot_info_size(known);
	if (size < need || size > entry_len) {
		scnprintf(why, why_len,
			  "version %u has %u bytes in a %u byte entry, version %u needs %u\n",
			  version, size, entry_len, known, need);
		return false;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out, info, need);

	/* fields of versions the host did not write take their defaults */
	if (version < 2)
		out->host_apicid = 0;
	if (version < 3)
		out->nr_hotplug_cpus = 0;

	if (!out->nr_cpus || out->nr_cpus > MULTIKERNEL_MAX_CPUS ||
	    !out->tsc_khz || !out->host_hz) {
		scnprintf(why, why_len, "lists %u CPUs, TSC %u kHz, HZ %u\n",
			  out->nr_cpus, out->tsc_khz, out->host_hz);
		return false;
	}
	if (out->nr_hotplug_cpus > MULTIKERNEL_MAX_CPUS - out->nr_cpus) {
		scnprintf(why, why_len, "lists %u CPUs and %u hotplug CPUs, more than %u\n",
			  out->nr_cpus, out->nr_hotplug_cpus,
			  MULTIKERNEL_MAX_CPUS);
		return false;
	}
	if (out->shared_base != shared ||
	    out->shared_size != MULTIKERNEL_SHARED_SIZE) {
		scnprintf(why, why_len,
			  "puts the shared area at %#llx+%#llx, not at %#llx\n",
			  out->shared_base, out->shared_size, shared);
		return false;
	}
	return true;
}

/*
 * Copy what this kernel knows of the host's boot information into mk_boot,
 * by the rules of struct multikernel_boot_info, or refuse to boot.
 */
static void __init mk_guest_read_info(void)
{
	static char why[192] __initdata;
	u64 shared = mk_info_pa - MULTIKERNEL_INFO_OFFSET;
	struct multikernel_boot_info *info;
	bool ok;

	info = early_memremap(mk_info_pa, sizeof(*info));
	if (!info)
		mk_refuse("at %#llx cannot be mapped\n", mk_info_pa);
	ok = mk_guest_check_info(info, mk_info_len, shared, &mk_boot, why,
				 sizeof(why));
	early_memunmap(info, sizeof(*info));
	if (!ok)
		mk_refuse("%s", why);
	if (mk_boot.version < MULTIKERNEL_BOOT_VERSION)
		pr_info("host wrote boot information version %u, this kernel knows %u\n",
			mk_boot.version, MULTIKERNEL_BOOT_VERSION);
}

/*
 * Early parameters the platform forces, parsed after the command line's:
 * LINT1 (the external NMI line) masked on every CPU, BSP included, from the
 * first programming of its local APIC; no I/O delay writes to port 0x80.
 */
static char mk_guest_early_params[] __initdata =
	"apic_extnmi=none io_delay=none";

/*
 * Keep the host's APIC mode.  INIT leaves a local APIC in x2APIC mode, so
 * a CPU the host (in x2APIC mode) started arrives in it; an APIC id above
 * 254 anywhere in the boot information (ours or the host's doorbell
 * target) needs x2APIC too.  Without ACPI no interrupt remapping is found,
 * and upstream would then switch x2APIC off (or panic for a high id):
 * nothing here needs remapping, a spawn has no IOAPIC and no MSI.
 */
static void __init mk_guest_apic_mode(void)
{
	unsigned int i;

	mk_x2apic = x2apic_enabled() || mk_boot.host_apicid > 0xfe;
	for (i = 0; i < mk_boot.nr_cpus; i++)
		mk_x2apic |= mk_boot.apic_ids[i] > 0xfe;
	if (mk_x2apic && !boot_cpu_has(X86_FEATURE_X2APIC))
		mk_refuse("needs x2APIC, which this CPU does not have\n");
}

static bool __init mk_guest_x2apic_available(void)
{
	return mk_x2apic;
}

/* No device interrupt reaches a spawn: every APIC id is addressable. */
static bool __init mk_guest_msi_ext_dest_id(void)
{
	return mk_x2apic;
}

static void __init mk_guest_init_platform(void)
{
	mk_guest_read_info();
	parse_early_options(mk_guest_early_params);
	mk_guest_apic_mode();

	x86_init.irqs.pre_vector_init		= x86_init_noop;
	x86_init.timers.timer_init		= mk_guest_timer_init;
	x86_init.mpparse.find_mptable		= x86_init_noop;
	x86_init.mpparse.early_parse_smp_cfg	= x86_init_noop;
	x86_init.mpparse.parse_smp_cfg		= mk_guest_parse_smp_cfg;
	x86_init.resources.probe_roms		= x86_init_noop;
	/* no dma1, pic1, timer0, keyboard, fpu...: only the given UART */
	x86_init.resources.reserve_resources	= x86_init_noop;
	x86_init.pci.arch_init			= mk_guest_pci_arch_init;

	x86_platform.calibrate_tsc		= mk_guest_tsc_khz;
	x86_platform.calibrate_cpu		= mk_guest_cpu_khz;
	x86_platform.get_wallclock		= mk_guest_get_wallclock;
	x86_platform.set_wallclock		= mk_guest_set_wallclock;
	x86_platform.legacy.rtc			= 0;
	x86_platform.legacy.warm_reset		= 0;
	x86_platform.legacy.i8042		= X86_LEGACY_I8042_PLATFORM_ABSENT;
	x86_platform.get_nmi_reason		= mk_guest_get_nmi_reason;

	legacy_pic				= &null_legacy_pic;

	machine_ops.restart			= mk_guest_restart;
	machine_ops.halt			= mk_guest_halt;
	machine_ops.power_off			= mk_guest_halt;
	machine_ops.emergency_restart		= mk_guest_halt;
	machine_ops.shutdown			= mk_guest_shutdown;

	/*
	 * The decompressor found the host's RSDP in the BIOS area; a kernel
	 * started from here (kexec, /sys/kernel/boot_params) must not.
	 */
	boot_params.acpi_rsdp_addr = 0;
	/* All-but-self shorthands would hit the host's CPUs. */
	apic_ipi_shorthand_off = 1;
	setup_force_cpu_cap(X86_FEATURE_TSC_KNOWN_FREQ);
	if (IS_ENABLED(CONFIG_PCI))
		pci_probe = 0;
	disable_acpi();
	hardlockup_detector_disable();
#ifdef CONFIG_SERIAL_8250
	serial8250_set_isa_configurator(mk_guest_serial_fixup);
#endif
	/* /dev/console defaults to the relay to the host (console=ttyMK0) */
	add_preferred_console("ttyMK", 0, NULL);
	pr_info("instance %u, %u CPU(s), %llu MiB at %#llx, TSC %u kHz, %s\n",
		mk_boot.instance_id, mk_boot.nr_cpus, mk_boot.mem_size >> 20,
		mk_boot.mem_base, mk_boot.tsc_khz, mk_x2apic ? "x2APIC" : "xAPIC");
}

const struct hypervisor_x86 x86_hyper_multikernel __refconst = {
	.name			= "Multikernel",
	.detect			= mk_guest_detect,
	.type			= X86_HYPER_MULTIKERNEL,
	.init.init_platform	= mk_guest_init_platform,
	.init.x2apic_available	= mk_guest_x2apic_available,
	.init.msi_ext_dest_id	= mk_guest_msi_ext_dest_id,
	.ignore_nopv		= true,
};

static int __init mk_guest_map_shared(void)
{
	void *shared;

	if (!multikernel_guest())
		return 0;
	/* the whole shared area: boot information, channel, console */
	shared = memremap(mk_boot.shared_base, MULTIKERNEL_SHARED_SIZE,
			  MEMREMAP_WB);
	if (!shared) {
		pr_err("cannot map the shared area\n");
		return -ENOMEM;
	}
	multikernel_guest_init(shared, mk_boot.instance_id, mk_boot.host_apicid);
	atomic_notifier_chain_register(&panic_notifier_list,
				       &mk_guest_panic_nb);
	return 0;
}
early_initcall(mk_guest_map_shared);

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "multikernel_guest_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */
